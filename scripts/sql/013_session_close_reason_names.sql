-- Thin-client sessions record why they ended as a stable name (SessionCloseReason's wire names), which the admin
-- panel translates; the English sentences of schema 012 become those names. (psql -1 makes the file one transaction.)

update vdi_tk_sessions set close_reason = case
    when close_reason = 'the client closed the WebSocket' then 'CLIENT_CLOSED'
    when close_reason = 'the connection was lost' then 'CONNECTION_LOST'
    when close_reason = 'the connection was lost (no answer to pings)' then 'NO_PONGS'
    when close_reason = 'the WebSocket closed' then 'SOCKET_CLOSED'
    when close_reason = 'no data from the client (dead session)' then 'DEAD_SESSION'
    when close_reason like 'inactive for % (AFK)' then 'AFK'
    when close_reason = 'disconnected by an administrator' then 'ADMINISTRATOR'
    else close_reason
  end
where close_reason is not null;

insert into vdi_schema_version (version, name) values (13, 'thin-client close reasons as names') on conflict (version) do nothing;

