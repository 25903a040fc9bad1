-- Issue 17: statistics over a year of history - VM connections by their time (the sessions have their index on
-- connected already), and sessions by their end for the peak of concurrent sessions.
create index if not exists ix_vdi_tk_vm_connections_connected on vdi_tk_vm_connections (connected_to_vm);
create index if not exists ix_vdi_tk_sessions_disconnected on vdi_tk_sessions (disconnected) where disconnected is not null;

insert into vdi_schema_version (version, name) values (18, 'statistics indexes') on conflict (version) do nothing;
