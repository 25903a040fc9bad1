-- 005: controllers, VMs (list projections) and the Data Protection key ring shared by every process.

-- ASP.NET Core Data Protection keys (XML, as the framework writes them); controller tokens are encrypted with them.
create table if not exists vdi_data_protection_keys
(
    friendly_name text primary key,
    xml           text        not null,
    created       timestamptz not null default now()
);

-- Controllers as the admin lists see them; the unique indexes also reserve a name and an address at creation.
create table if not exists vdi_controllers
(
    id           uuid primary key,
    verbose_name varchar(128) not null,
    address      varchar(255) not null,
    description  varchar(256) not null default '',
    status       varchar(16)  not null,
    version      varchar(128) not null default '',
    created      timestamptz  not null,
    updated      timestamptz  not null
);
create unique index if not exists ux_vdi_controllers_name on vdi_controllers (lower(verbose_name));
create unique index if not exists ux_vdi_controllers_address on vdi_controllers (lower(address));

-- VMs known to the broker (VmGrain owns the record).
create table if not exists vdi_vms
(
    id                uuid primary key,
    controller_id     uuid         not null,
    pool_id           uuid,
    verbose_name      varchar(255) not null,
    status            varchar(16)  not null,
    power_state       smallint     not null default 0,
    created_by_broker boolean      not null default false,
    updated           timestamptz  not null
);
create index if not exists ix_vdi_vms_controller on vdi_vms (controller_id);
create index if not exists ix_vdi_vms_pool on vdi_vms (pool_id, verbose_name);

insert into vdi_schema_version (version, name) values (5, 'controllers, vms, data protection keys') on conflict (version) do nothing;
