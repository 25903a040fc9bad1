-- 010: the admin panel. Which journal events each administrator has read (the original's "mark events read by"),
-- and indexes for the journal's filters at 100,000 events.

create table if not exists vdi_journal_reads
(
    event_id bigint not null,
    user_id  uuid   not null,
    primary key (user_id, event_id)
);

create index if not exists ix_vdi_journal_type_created on vdi_journal (event_type, created desc);
create index if not exists ix_vdi_journal_entity_type_created on vdi_journal (entity_type, created desc);
create index if not exists ix_vdi_journal_user_created on vdi_journal (username, created desc);
create index if not exists ix_vdi_tk_sessions_connected on vdi_tk_sessions (connected desc);

insert into vdi_schema_version (version, name) values (10, 'admin panel') on conflict (version) do nothing;
