-- Issue 15: directories users sign in against (the grain owns the record; this row lists it and reserves its name).
create table if not exists vdi_directories
(
    id           uuid primary key,
    verbose_name varchar(128) not null,
    kind         varchar(24)  not null,
    domain       varchar(255) not null default '',
    servers      text[]       not null,
    enabled      boolean      not null,
    created      timestamptz  not null,
    updated      timestamptz  not null
);
create unique index if not exists ux_vdi_directories_name on vdi_directories (lower(verbose_name));

insert into vdi_schema_version (version, name) values (15, 'directories') on conflict (version) do nothing;
