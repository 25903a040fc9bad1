-- 009: the VM manager's policies. held_off marks a VM that the action after a disconnect powered down while it
-- stayed assigned; the keep-on reconciliation leaves such VMs off until their user connects again.

alter table vdi_vms add column if not exists held_off boolean not null default false;

insert into vdi_schema_version (version, name) values (9, 'vm policies') on conflict (version) do nothing;
