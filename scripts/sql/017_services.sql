-- Issue 16: the services page. Every silo and gateway reports itself here every Services:HeartbeatInterval (15 s):
-- host, version, start time, health and what it holds (a silo's activations, a gateway's thin-client sockets); a
-- process that stops cleanly marks its row stopped. One row per process address (a silo's includes its generation).
create table if not exists vdi_services (
    kind text not null check (kind in ('silo', 'gateway')),
    address text not null,
    name text not null,
    host text not null,
    version text not null,
    started timestamptz not null,
    last_seen timestamptz not null,
    stopped timestamptz,
    health text not null,
    details jsonb not null default '{}'::jsonb,
    primary key (kind, address)
);
create index if not exists ix_vdi_services_last_seen on vdi_services (last_seen);

insert into vdi_schema_version (version, name) values (17, 'services') on conflict (version) do nothing;
