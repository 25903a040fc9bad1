-- 011: groups grant roles and thin-client permissions to their members (the original's group roles and
-- permissions); read at login to build the token's roles and in get-VM for the client's permissions.

alter table vdi_groups add column if not exists roles text[] not null default '{}';
alter table vdi_groups add column if not exists tk_permissions text[] not null default '{}';

insert into vdi_schema_version (version, name) values (11, 'group roles and permissions') on conflict (version) do nothing;
