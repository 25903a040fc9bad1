-- 004: the broker's own queryable tables. Grain state is authoritative; these rows are projections the grains
-- upsert after each state write, so admin lists page and filter in SQL without activating grains.

-- Users as the admin lists see them (UserGrain owns the full record, including the password hash).
create table if not exists vdi_users
(
    id           uuid primary key,
    username     varchar(128) not null,
    first_name   varchar(32)  not null default '',
    last_name    varchar(128) not null default '',
    email        varchar(254) not null default '',
    is_superuser boolean      not null default false,
    is_active    boolean      not null default true,
    roles        text[]       not null default '{}',
    created      timestamptz  not null,
    updated      timestamptz  not null,
    last_login   timestamptz
);
create unique index if not exists ux_vdi_users_username on vdi_users (lower(username));

-- The journal (the original's "event" table): event_type 0=INFO, 1=WARNING, 2=ERROR, 3=DEBUG.
create table if not exists vdi_journal
(
    id          bigint generated always as identity primary key,
    event_type  smallint     not null check (event_type between 0 and 3),
    message     varchar(256) not null,
    description text         not null default '',
    entity_type varchar(16),
    entity_id   uuid,
    username    varchar(128) not null default 'system',
    created     timestamptz  not null
);
create index if not exists ix_vdi_journal_created on vdi_journal (created desc);
create index if not exists ix_vdi_journal_entity on vdi_journal (entity_id, created desc);

insert into vdi_schema_version (version, name) values (4, 'vdi users and journal') on conflict (version) do nothing;
