-- 002: grain state storage for Microsoft.Orleans.Persistence.AdoNet 10.4.2 (provider name "Npgsql").
-- The provider binds @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
-- @GrainIdExtensionString, @ServiceId, @GrainStateVersion and only the payload parameter its serializer fills
-- (@PayloadBinary for System.Text.Json: an unbound @PayloadJson would reach Postgres as the "@" operator), and
-- reads the columns in the order written below. payloadjson/payloadxml stay for the providers' read shape.
-- The version column is the ETag: a write with a stale version changes nothing, returns the old version, and Orleans raises InconsistentStateException.

create table if not exists orleansstorage
(
    grainidhash            integer      not null,
    grainidn0              bigint       not null,
    grainidn1              bigint       not null,
    graintypehash          integer      not null,
    graintypestring        varchar(512) not null,
    grainidextensionstring varchar(512),
    serviceid              varchar(150) not null,
    payloadbinary          bytea,
    payloadxml             xml,
    payloadjson            text,
    modifiedon             timestamp    not null,
    version                integer
);

-- One row per grain: the unique index makes two concurrent first writes of the same grain race safely.
create unique index if not exists ux_orleansstorage_grain
    on orleansstorage (grainidhash, graintypehash, serviceid, graintypestring, grainidn0, grainidn1,
                       coalesce(grainidextensionstring, ''));

create or replace function vdi_orleans_write_state(
    p_grainidhash integer, p_grainidn0 bigint, p_grainidn1 bigint, p_graintypehash integer,
    p_graintypestring varchar, p_grainidextensionstring varchar, p_serviceid varchar,
    p_version integer, p_payloadbinary bytea)
    returns table (newgrainstateversion integer)
    language plpgsql
as
$fn$
declare
    v_new integer;
begin
    if p_version is null then
        -- first write of this grain: succeeds only if no row exists yet
        insert into orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring,
                                    grainidextensionstring, serviceid, payloadbinary, modifiedon, version)
        values (p_grainidhash, p_grainidn0, p_grainidn1, p_graintypehash, p_graintypestring,
                p_grainidextensionstring, p_serviceid, p_payloadbinary, now() at time zone 'utc', 1)
        on conflict (grainidhash, graintypehash, serviceid, graintypestring, grainidn0, grainidn1,
                     coalesce(grainidextensionstring, '')) do nothing
        returning version into v_new;
    else
        update orleansstorage
        set payloadbinary = p_payloadbinary,
            modifiedon    = now() at time zone 'utc',
            version       = version + 1
        where grainidhash = p_grainidhash
          and graintypehash = p_graintypehash
          and serviceid = p_serviceid
          and graintypestring = p_graintypestring
          and grainidn0 = p_grainidn0
          and grainidn1 = p_grainidn1
          and grainidextensionstring is not distinct from p_grainidextensionstring
          and version = p_version
        returning version into v_new;
    end if;
    return query select coalesce(v_new, p_version);
end
$fn$;

insert into orleansquery (querykey, querytext)
values ('WriteToStorageKey', '
    select * from vdi_orleans_write_state(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
        @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary);'),
       ('ReadFromStorageKey', '
    select payloadbinary, payloadxml, payloadjson, now() at time zone ''utc'', version
    from orleansstorage
    where grainidhash = @GrainIdHash
      and graintypehash = @GrainTypeHash
      and serviceid = @ServiceId
      and graintypestring = @GrainTypeString
      and grainidn0 = @GrainIdN0
      and grainidn1 = @GrainIdN1
      and grainidextensionstring is not distinct from @GrainIdExtensionString;'),
       ('ClearStorageKey', '
    update orleansstorage
    set payloadbinary = null, payloadjson = null, payloadxml = null, version = version + 1
    where grainidhash = @GrainIdHash
      and graintypehash = @GrainTypeHash
      and serviceid = @ServiceId
      and graintypestring = @GrainTypeString
      and grainidn0 = @GrainIdN0
      and grainidn1 = @GrainIdN1
      and grainidextensionstring is not distinct from @GrainIdExtensionString
      and version = @GrainStateVersion
    returning version as newgrainstateversion;'),
       ('DeleteStorageKey', '
    delete from orleansstorage
    where grainidhash = @GrainIdHash
      and graintypehash = @GrainTypeHash
      and serviceid = @ServiceId
      and graintypestring = @GrainTypeString
      and grainidn0 = @GrainIdN0
      and grainidn1 = @GrainIdN1
      and grainidextensionstring is not distinct from @GrainIdExtensionString
      and version = @GrainStateVersion
    returning version + 1 as newgrainstateversion;')
on conflict (querykey) do update set querytext = excluded.querytext;

insert into vdi_schema_version (version, name) values (2, 'orleans grain storage') on conflict (version) do nothing;
