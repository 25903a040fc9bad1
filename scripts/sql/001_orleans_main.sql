-- 001: the schema-version ledger and the query table the Orleans ADO.NET providers read.
-- Idempotent: safe to apply on every start (scripts/lib/common.sh apply_schema runs each file in one transaction).
-- The Orleans providers look their SQL up by key in orleansquery; files 002 and 003 fill it.

create table if not exists vdi_schema_version
(
    version    integer primary key,
    name       text        not null,
    applied_at timestamptz not null default now()
);

create table if not exists orleansquery
(
    querykey  varchar(64)   not null,
    querytext varchar(8000) not null,
    constraint orleansquery_key primary key (querykey)
);

insert into vdi_schema_version (version, name) values (1, 'orleans main') on conflict (version) do nothing;
