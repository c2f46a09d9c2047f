"""The population observatory (مرکز رصد جمعیت): vital statistics computed from the register.

A snapshot of the register (Parquet, no names or national codes) is built from the database
and queried with DuckDB; the indicators are worked out from the small tables the queries
return (`formulas`, pure), each with its written definition (`definitions`).
"""
