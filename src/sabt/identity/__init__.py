"""The authorisation core: organisations' OAuth2 clients, staff and citizen accounts, roles
and jurisdictions (`roles`), bearer tokens and the caller (`service`), lockouts (`lockout`),
disabled accounts (`account_state`), the citizen's access log (`access_log`), the purge of
expired credentials (`purge`), and HODA, the national OpenID Connect provider (`provider`,
`hoda`, `oidc*`)."""
