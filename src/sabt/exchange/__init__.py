"""The registry's services to other agencies: yes/no verification, eKYC, life status and
virtual IDs, each agency granted exactly what the law lets it learn, every access in the
citizen's log and in an evidence log both sides can prove against."""
