-- Issue 14: the audit trail records who asked from where, and users and groups can be deleted.
alter table vdi_journal add column if not exists client_address varchar(64) not null default '';

insert into vdi_schema_version (version, name) values (14, 'audit: client address in the journal') on conflict (version) do nothing;
