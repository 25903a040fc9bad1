-- Issue 17: retention. The journal becomes partitioned by month (UTC), so that a month past the retention period is
-- dropped at once instead of deleted row by row; a default partition takes rows of months without their own (a broker
-- that was stopped for months, a clock set wrong) until the retention job gives their month one. The old table's rows
-- are moved into the monthly partitions here. Two functions do what needs the schema owner's rights, for the services'
-- rows-only role: create a month's partition (moving its rows out of the default one) and drop an old month.

do $$
declare
    m date;
begin
    if exists (select 1 from pg_partitioned_table where partrelid = 'vdi_journal'::regclass) then
        return;
    end if;
    alter table vdi_journal rename to vdi_journal_unpartitioned;
    alter table vdi_journal_unpartitioned rename constraint vdi_journal_pkey to vdi_journal_unpartitioned_pkey;
    drop index if exists ix_vdi_journal_created, ix_vdi_journal_entity, ix_vdi_journal_type_created,
        ix_vdi_journal_entity_type_created, ix_vdi_journal_user_created;

    create table vdi_journal
    (
        id             bigint generated always as identity,
        event_type     smallint     not null check (event_type between 0 and 3),
        message        varchar(256) not null,
        description    text         not null default '',
        entity_type    varchar(16),
        entity_id      uuid,
        username       varchar(128) not null default 'system',
        created        timestamptz  not null,
        client_address varchar(64)  not null default '',
        primary key (id, created)
    ) partition by range (created);
    create table vdi_journal_default partition of vdi_journal default;

    -- a partition for each month the old table has rows in, and for this month and the next two
    for m in
        select distinct date_trunc('month', created at time zone 'UTC')::date from vdi_journal_unpartitioned
        union select (date_trunc('month', now() at time zone 'UTC') + make_interval(months => i))::date from generate_series(0, 2) i
    loop
        execute format('create table %I partition of vdi_journal for values from (%L) to (%L)',
            'vdi_journal_' || to_char(m, 'YYYY_MM'), m::timestamp at time zone 'UTC', (m + interval '1 month')::timestamp at time zone 'UTC');
    end loop;

    insert into vdi_journal (id, event_type, message, description, entity_type, entity_id, username, created, client_address)
    overriding system value
    select id, event_type, message, description, entity_type, entity_id, username, created, client_address from vdi_journal_unpartitioned;
    perform setval(pg_get_serial_sequence('vdi_journal', 'id'), greatest(coalesce((select max(id) from vdi_journal), 0), 1),
        (select count(*) > 0 from vdi_journal));
    drop table vdi_journal_unpartitioned;
end $$;

create index if not exists ix_vdi_journal_created on vdi_journal (created desc, id desc);
create index if not exists ix_vdi_journal_entity on vdi_journal (entity_id, created desc);
create index if not exists ix_vdi_journal_type_created on vdi_journal (event_type, created desc);
create index if not exists ix_vdi_journal_entity_type_created on vdi_journal (entity_type, created desc);
create index if not exists ix_vdi_journal_user_created on vdi_journal (username, created desc);
-- the reads of a dropped month's events go with it
create index if not exists ix_vdi_journal_reads_event on vdi_journal_reads (event_id);

-- The partition of the month that holds "month" (UTC), created if missing, with that month's rows moved into it out of
-- the default partition. Returns the partition's name.
create or replace function vdi_journal_month_partition(month date) returns text
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    first date := date_trunc('month', month)::date;
    name text := 'vdi_journal_' || to_char(date_trunc('month', month), 'YYYY_MM');
    low timestamptz := first::timestamp at time zone 'UTC';
    high timestamptz := (first + interval '1 month')::timestamp at time zone 'UTC';
begin
    if to_regclass(name) is not null then
        return name;
    end if;
    execute format('create table %I (like vdi_journal including defaults including constraints)', name);
    execute format('with moved as (delete from vdi_journal_default where created >= %L and created < %L returning *) '
        'insert into %I select * from moved', low, high, name);
    execute format('alter table vdi_journal attach partition %I for values from (%L) to (%L)', name, low, high);
    return name;
end $$;

-- Drops the partition of the month that holds "month" (UTC) and the reads of its events; never this month or the last.
-- Returns the number of events dropped (0 when the month has no partition).
create or replace function vdi_journal_drop_month(month date) returns bigint
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    name text := 'vdi_journal_' || to_char(date_trunc('month', month), 'YYYY_MM');
    n bigint;
begin
    if date_trunc('month', month) >= date_trunc('month', now() at time zone 'UTC') - interval '1 month' then
        raise exception 'the journal of % is too recent to drop', to_char(month, 'YYYY-MM');
    end if;
    if to_regclass(name) is null
       or not exists (select 1 from pg_inherits where inhrelid = to_regclass(name) and inhparent = 'vdi_journal'::regclass) then
        return 0;
    end if;
    execute format('select count(*) from %I', name) into n;
    if n > 0 then
        execute format('delete from vdi_journal_reads r using %I e where r.event_id = e.id', name);
    end if;
    execute format('drop table %I', name);
    return n;
end $$;

revoke execute on function vdi_journal_month_partition(date) from public;
revoke execute on function vdi_journal_drop_month(date) from public;

-- The connected thin clients, newest first, at a million sessions kept.
create index if not exists ix_vdi_tk_sessions_open_connected on vdi_tk_sessions (connected desc) where disconnected is null;

-- Finished tasks are deleted by age: the index the job's batches use.
create index if not exists ix_vdi_tasks_finished on vdi_tasks (finished) where finished is not null;

insert into vdi_schema_version (version, name) values (19, 'retention: the journal partitioned by month') on conflict (version) do nothing;
