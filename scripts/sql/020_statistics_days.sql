-- Issue 17: a year's statistics without reading a year of rows. Each settled UTC day is rolled up once (by the
-- retention job): per pool (and for the whole broker, pool_id = the nil uuid) its per-hour counts, the peak of
-- concurrent sessions, duration histograms (log buckets 2 % wide) as one document; and the day's users, client
-- systems, VeiL Connect versions and pools with their counts. Reports read these for whole days and the rows
-- themselves only for the edges of their period and for days not rolled up yet.
create table if not exists vdi_stats_days (
    day date not null,
    pool_id uuid not null,
    data jsonb not null,
    open_sessions integer not null default 0,
    computed timestamptz not null default now(),
    primary key (day, pool_id)
);

create table if not exists vdi_stats_day_keys (
    day date not null,
    pool_id uuid not null,
    kind "char" not null,            -- o: client OS, v: VeiL Connect version, p: a pool (key: its id, name: its name)
    key text not null,
    name text not null default '',
    n bigint not null,               -- sessions (o, v), successful desktop connections (p)
    m bigint not null default 0,
    primary key (pool_id, day, kind, key)
);

-- the day's users: a row each (a million sessions a year are about as many user-days), kept narrow; their names apart
create table if not exists vdi_stats_day_users (
    pool_id uuid not null,
    day date not null,
    user_id uuid not null,
    sessions integer not null,
    desktops integer not null,       -- desktops the user's sessions of the day opened
    primary key (pool_id, day, user_id)
);

create table if not exists vdi_stats_user_names (
    user_id uuid primary key,
    name text not null
);

insert into vdi_schema_version (version, name) values (20, 'statistics rolled up by day') on conflict (version) do nothing;
