-- 007: thin-client sessions and their VM connections (the original's active_tk_connection / tk_vm_connection),
-- favourite pools, and what the thin-client pool list shows (os type, connection types).

alter table vdi_pools add column if not exists os_type varchar(100) not null default '';
alter table vdi_pools add column if not exists connection_types text[] not null default '{SPICE}';

create table if not exists vdi_user_favorite_pools
(
    user_id uuid not null,
    pool_id uuid not null,
    primary key (user_id, pool_id)
);

create table if not exists vdi_tk_sessions
(
    id                   uuid primary key,
    user_id              uuid         not null,
    username             varchar(128) not null,
    veil_connect_version varchar(32)  not null default '',
    tk_ip                varchar(64)  not null default '',
    tk_os                varchar(64)  not null default '',
    mac_address          varchar(64)  not null default '',
    hostname             varchar(255) not null default '',
    gateway              varchar(128) not null default '',
    connected            timestamptz  not null,
    data_received        timestamptz  not null,
    last_interaction     timestamptz,
    disconnected         timestamptz
);
create index if not exists ix_vdi_tk_sessions_active on vdi_tk_sessions (user_id) where disconnected is null;
create index if not exists ix_vdi_tk_sessions_connected on vdi_tk_sessions (connected desc);

create table if not exists vdi_tk_vm_connections
(
    id                   uuid primary key,
    session_id           uuid         not null,
    vm_id                uuid         not null,
    successful           boolean      not null default true,
    conn_error_str       varchar(1024) not null default '',
    connection_type      varchar(16),
    is_connection_secure boolean,
    connected_to_vm      timestamptz  not null,
    disconnected_from_vm timestamptz,
    read_speed           bigint,
    write_speed          bigint,
    avg_rtt              double precision,
    loss_percentage      double precision
);
create index if not exists ix_vdi_tk_vm_connections_session on vdi_tk_vm_connections (session_id);

insert into vdi_schema_version (version, name) values (7, 'thin-client sessions, favourites') on conflict (version) do nothing;
