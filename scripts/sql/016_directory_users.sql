-- Issue 15: which directory a user comes from (null: a local user with its own password). The users list shows it,
-- and a group sync takes out of a broker group only the users of its own directory.
alter table vdi_users add column if not exists directory_id uuid;
create index if not exists ix_vdi_users_directory on vdi_users (directory_id) where directory_id is not null;

insert into vdi_schema_version (version, name) values (16, 'directory users') on conflict (version) do nothing;
