-- 006: pools, ownership, entitlements, groups and tasks (list projections kept by their grains).

create table if not exists vdi_pools
(
    id            uuid primary key,
    verbose_name  varchar(128) not null,
    pool_type     varchar(16)  not null,
    status        varchar(16)  not null,
    controller_id uuid         not null,
    template_id   uuid,
    total_size    integer      not null default 0,
    reserve_size  integer      not null default 0,
    created       timestamptz  not null,
    updated       timestamptz  not null
);
create unique index if not exists ux_vdi_pools_name on vdi_pools (lower(verbose_name));
create index if not exists ix_vdi_pools_controller on vdi_pools (controller_id);

-- Who owns which VM (a user has at most one VM per pool; the pool grain is the single writer).
create table if not exists vdi_vm_owners
(
    vm_id   uuid not null,
    user_id uuid not null,
    pool_id uuid not null,
    primary key (vm_id, user_id)
);
create unique index if not exists ux_vdi_vm_owners_user_pool on vdi_vm_owners (pool_id, user_id);

create table if not exists vdi_pool_entitlements
(
    pool_id  uuid not null,
    user_id  uuid,
    group_id uuid,
    check ((user_id is null) <> (group_id is null))
);
create unique index if not exists ux_vdi_pool_entitlements on vdi_pool_entitlements (pool_id, coalesce(user_id, group_id));
create index if not exists ix_vdi_pool_entitlements_user on vdi_pool_entitlements (user_id);
create index if not exists ix_vdi_pool_entitlements_group on vdi_pool_entitlements (group_id);

create table if not exists vdi_groups
(
    id           uuid primary key,
    verbose_name varchar(128) not null,
    description  text         not null default ''
);
create unique index if not exists ux_vdi_groups_name on vdi_groups (lower(verbose_name));

create table if not exists vdi_group_members
(
    group_id uuid not null,
    user_id  uuid not null,
    primary key (group_id, user_id)
);
create index if not exists ix_vdi_group_members_user on vdi_group_members (user_id);

-- Tasks as the admin lists and filters them (TaskGrain owns the record).
create table if not exists vdi_tasks
(
    id        uuid primary key,
    entity_id uuid         not null,
    pool_id   uuid,
    task_type varchar(32)  not null,
    status    varchar(16)  not null,
    progress  smallint     not null default 0,
    message   varchar(256) not null default '',
    creator   varchar(128) not null default 'system',
    created   timestamptz  not null,
    started   timestamptz,
    finished  timestamptz,
    resumable boolean      not null default true,
    priority  smallint     not null default 1
);
create index if not exists ix_vdi_tasks_created on vdi_tasks (created desc);
create index if not exists ix_vdi_tasks_pool_status on vdi_tasks (pool_id, status);
create index if not exists ix_vdi_tasks_entity on vdi_tasks (entity_id);

insert into vdi_schema_version (version, name) values (6, 'pools, owners, entitlements, groups, tasks') on conflict (version) do nothing;
