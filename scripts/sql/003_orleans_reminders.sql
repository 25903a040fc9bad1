-- 003: reminders for Microsoft.Orleans.Reminders.AdoNet 10.4.2 (classic reminders: no cron/priority columns).
-- The provider binds @ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, @Version,
-- @BeginHash and @EndHash, and reads GrainId, ReminderName, StartTime, Period, Version by name.

create table if not exists orleansreminderstable
(
    serviceid    varchar(150)   not null,
    grainid      varchar(150)   not null,
    remindername varchar(150)   not null,
    starttime    timestamptz(3) not null,
    period       bigint         not null,
    grainhash    integer        not null,
    version      integer        not null,
    constraint pk_reminderstable_serviceid_grainid_remindername primary key (serviceid, grainid, remindername)
);

create index if not exists ix_reminderstable_grainhash on orleansreminderstable (serviceid, grainhash);

insert into orleansquery (querykey, querytext)
values ('UpsertReminderRowKey', '
    insert into orleansreminderstable (serviceid, grainid, remindername, starttime, period, grainhash, version)
    values (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period::bigint, @GrainHash, 0)
    on conflict (serviceid, grainid, remindername) do update
        set starttime = excluded.starttime,
            period    = excluded.period,
            grainhash = excluded.grainhash,
            version   = orleansreminderstable.version + 1
    returning version;'),
       ('ReadReminderRowsKey', '
    select grainid, remindername, starttime, period, version
    from orleansreminderstable
    where serviceid = @ServiceId and grainid = @GrainId;'),
       ('ReadReminderRowKey', '
    select grainid, remindername, starttime, period, version
    from orleansreminderstable
    where serviceid = @ServiceId and grainid = @GrainId and remindername = @ReminderName;'),
       ('ReadRangeRows1Key', '
    select grainid, remindername, starttime, period, version
    from orleansreminderstable
    where serviceid = @ServiceId and grainhash > @BeginHash and grainhash <= @EndHash;'),
       ('ReadRangeRows2Key', '
    select grainid, remindername, starttime, period, version
    from orleansreminderstable
    where serviceid = @ServiceId and (grainhash > @BeginHash or grainhash <= @EndHash);'),
       ('DeleteReminderRowKey', '
    with deleted as (
        delete from orleansreminderstable
        where serviceid = @ServiceId and grainid = @GrainId and remindername = @ReminderName and version = @Version
        returning 1)
    select count(*)::integer from deleted;'),
       ('DeleteReminderRowsKey', '
    delete from orleansreminderstable where serviceid = @ServiceId;')
on conflict (querykey) do update set querytext = excluded.querytext;

insert into vdi_schema_version (version, name) values (3, 'orleans reminders') on conflict (version) do nothing;
