-- Why a thin-client session ended (the WebSocket closed, no data for 35 s, an administrator's DISCONNECT, AFK), for
-- the admin view's history. Older rows keep null.

alter table vdi_tk_sessions add column if not exists close_reason text;

insert into vdi_schema_version (version, name) values (12, 'thin-client session close reason') on conflict (version) do nothing;
