-- 008: stream subscriptions (the PubSubRendezvousGrain records) are stored with Orleans' binary serializer from
-- now on. Records written before this version hold JSON that could never be read back, so they go once; the
-- gateways and grains subscribe again when they start.

do $$
begin
    if not exists (select 1 from vdi_schema_version where version = 8) then
        delete from orleansstorage where graintypestring = 'PubSubRendezvousGrain';
    end if;
end
$$;

insert into vdi_schema_version (version, name) values (8, 'binary stream subscriptions') on conflict (version) do nothing;
