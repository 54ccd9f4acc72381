//! Devices: registration with validated fields, changes by the owner only (the agent may change
//! just the status and the endpoint), the freeze of hardware while reserved, and deregistration
//! with the rent returned.

use {
    crate::common::*,
    anchor_lang::{error::ErrorCode as AnchorErrorCode, prelude::Pubkey, Space},
    registry::{
        errors::RegistryError,
        events::{
            DeviceDeregistered, DeviceEndpointSet, DeviceRegistered, DeviceRenamed,
            DeviceStatusChanged, DeviceUpdated,
        },
        state::{
            BandwidthTier, Device, DeviceAvailability, DeviceHistory, DeviceSpecs, DeviceStatus,
            MAX_CPU_CORES, MAX_PRICE_PER_GPU_HOUR, MAX_RAM_MIB, MAX_STORAGE_GIB, MAX_VRAM_MIB,
        },
        RegisterDeviceArgs, UpdateDeviceArgs,
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

const DEVICE_ID: &str = "5f0c2a9e-3b1d-4e7a-9c8b-2d6f1a0e4b3c";

fn device_space() -> usize {
    8 + Device::INIT_SPACE
}

/// Asserts that `device` holds exactly what `args` registered, for `owner` and `agent`, at
/// `registered_at`.
#[track_caller]
fn assert_registered_as(
    device: &Device,
    args: &RegisterDeviceArgs,
    (owner, agent): (&Pubkey, &Pubkey),
    registered_at: i64,
) {
    assert_eq!(device.owner, *owner);
    assert_eq!(device.agent, *agent);
    assert_eq!(device.device_id_hash, sha256(&args.device_id));
    assert_eq!(device.status, DeviceStatus::Active);
    assert_eq!(device.reservation, Pubkey::default(), "free");
    assert_eq!(device.price_per_gpu_hour, args.price_per_gpu_hour);
    assert_eq!(device.specs, args.specs);
    assert_eq!(device.registered_at, registered_at);
    assert_eq!(device.updated_at, registered_at);
    assert_eq!(
        device.availability,
        DeviceAvailability::default(),
        "no probe yet"
    );
    assert_eq!(device._reserved, [0; 56]);
    assert_eq!(device.device_id, args.device_id);
    assert_eq!(device.name, args.name);
    assert_eq!(device.gpu_model, args.gpu_model);
    assert_eq!(device.region, args.region);
    assert_eq!(device.endpoint, args.endpoint);
}

// register_device

#[test]
fn register_device_stores_every_field_and_emits_device_registered() {
    let mut chain = Chain::new();
    let owner = chain.funded_keypair();
    let agent_key = Keypair::new();
    let agent = agent_key.pubkey();
    let args = sample_device(DEVICE_ID);
    let slot = chain.svm.get_sysvar::<anchor_lang::prelude::Clock>().slot;

    let meta = succeeded(chain.send(
        ix::register_device(&owner.pubkey(), &agent, args.clone()),
        &[&owner, &agent_key],
    ));

    let (key, bump) = Pubkey::find_program_address(&[b"device", &sha256(DEVICE_ID)], &registry::ID);
    let device = chain.device(&key);
    assert_registered_as(&device, &args, (&owner.pubkey(), &agent), NOW);
    assert_eq!(device.bump, bump);
    assert_eq!(device.registered_slot, slot);

    let event: DeviceRegistered = only_event(&meta);
    assert_eq!(event.device, key);
    assert_eq!(event.owner, owner.pubkey());
    assert_eq!(event.agent, agent);
    assert_eq!(event.device_id, DEVICE_ID);
    assert_eq!(event.name, "rig-01");
    assert_eq!(event.gpu_model, "NVIDIA H100 80GB HBM3");
    assert_eq!(event.region, "us-east");
    assert_eq!(event.specs, sample_specs());
    assert_eq!(event.price_per_gpu_hour, 2_500_000);
    assert_eq!(event.registered_at, NOW);
}

#[test]
fn register_device_charges_the_owner_exactly_the_rent_and_the_fee() {
    let mut chain = Chain::new();
    let owner = chain.funded_keypair();
    let agent = chain.funded_keypair();
    let args = sample_device(DEVICE_ID);
    let balance_before = chain.balance(&owner.pubkey());
    let agent_balance_before = chain.balance(&agent.pubkey());

    let register = ix::register_device(&owner.pubkey(), &agent.pubkey(), args);
    succeeded(chain.send(register, &[&owner, &agent]));

    let rent = chain.rent(device_space());
    let device_key = pda::device(DEVICE_ID);
    assert_eq!(chain.account(&device_key).data.len(), device_space());
    assert_eq!(chain.balance(&device_key), rent);
    // Two signatures, both paid by the owner; the agent pays nothing.
    assert_eq!(
        balance_before - chain.balance(&owner.pubkey()),
        rent + 2 * FEE_PER_SIGNATURE
    );
    assert_eq!(chain.balance(&agent.pubkey()), agent_balance_before);
}

#[test]
fn the_device_address_is_the_pda_of_device_and_the_sha256_of_its_id() {
    // `printf %s 5f0c2a9e-3b1d-4e7a-9c8b-2d6f1a0e4b3c | sha256sum`
    let expected_hash = "a3f685e4d8700027376aeb51ef07697375b384fe46583f3358492080781ef022";
    let hex: String = sha256(DEVICE_ID)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(hex, expected_hash);

    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);

    assert_eq!(
        device.key,
        Pubkey::find_program_address(&[b"device", &sha256(DEVICE_ID)], &registry::ID).0
    );
    assert_eq!(chain.device(&device.key).device_id_hash, sha256(DEVICE_ID));
}

#[test]
fn register_device_accepts_every_field_at_its_bounds() {
    let mut chain = Chain::new();
    let owner = chain.funded_keypair();
    let agent = Keypair::new();
    let largest = RegisterDeviceArgs {
        device_id: "d".repeat(64),
        name: "n".repeat(32),
        gpu_model: "g".repeat(48),
        region: "r".repeat(16),
        specs: DeviceSpecs {
            gpu_count: 64,
            vram_mib: MAX_VRAM_MIB,
            cpu_cores: MAX_CPU_CORES,
            ram_mib: MAX_RAM_MIB,
            storage_gib: MAX_STORAGE_GIB,
            bandwidth_tier: BandwidthTier::Ultra,
        },
        price_per_gpu_hour: MAX_PRICE_PER_GPU_HOUR,
        endpoint: "e".repeat(96),
    };
    let smallest = RegisterDeviceArgs {
        device_id: "x".to_string(),
        name: "rig · 8×H100".to_string(),
        gpu_model: "A".to_string(),
        region: "9".to_string(),
        specs: DeviceSpecs {
            gpu_count: 1,
            vram_mib: 1,
            cpu_cores: 1,
            ram_mib: 1,
            storage_gib: 0,
            bandwidth_tier: BandwidthTier::Basic,
        },
        price_per_gpu_hour: 1,
        endpoint: String::new(),
    };

    for args in [largest, smallest] {
        succeeded(chain.send(
            ix::register_device(&owner.pubkey(), &agent.pubkey(), args.clone()),
            &[&owner, &agent],
        ));
        let device = chain.device(&pda::device(&args.device_id));
        assert_registered_as(&device, &args, (&owner.pubkey(), &agent.pubkey()), NOW);
        assert_eq!(
            chain.account(&pda::device(&args.device_id)).data.len(),
            device_space()
        );
    }
}

#[test]
fn register_device_rejects_each_invalid_field_by_its_error_name() {
    use RegistryError::*;
    /// Turns valid registration arguments into invalid ones.
    type Spoil = fn(&mut RegisterDeviceArgs);
    let cases: Vec<(RegistryError, Spoil)> = vec![
        (InvalidDeviceId, |args| args.device_id = String::new()),
        (InvalidDeviceId, |args| args.device_id = "d".repeat(65)),
        (InvalidDeviceId, |args| {
            args.device_id = "has space".to_string()
        }),
        (InvalidDeviceId, |args| args.device_id = "naïve".to_string()),
        (InvalidName, |args| args.name = String::new()),
        (InvalidName, |args| args.name = "n".repeat(33)),
        (InvalidName, |args| args.name = " rig-01".to_string()),
        (InvalidName, |args| args.name = "rig\n01".to_string()),
        (InvalidGpuModel, |args| args.gpu_model = String::new()),
        (InvalidGpuModel, |args| args.gpu_model = "g".repeat(49)),
        (InvalidGpuModel, |args| args.gpu_model = "H100 ".to_string()),
        (InvalidRegion, |args| args.region = String::new()),
        (InvalidRegion, |args| args.region = "r".repeat(17)),
        (InvalidRegion, |args| args.region = "US-East".to_string()),
        (InvalidRegion, |args| args.region = "us_east".to_string()),
        (InvalidEndpoint, |args| args.endpoint = "e".repeat(97)),
        (InvalidEndpoint, |args| {
            args.endpoint = "http://a b".to_string()
        }),
        (InvalidGpuCount, |args| args.specs.gpu_count = 0),
        (InvalidGpuCount, |args| args.specs.gpu_count = 65),
        (InvalidVram, |args| args.specs.vram_mib = 0),
        (InvalidVram, |args| args.specs.vram_mib = MAX_VRAM_MIB + 1),
        (InvalidCpuCores, |args| args.specs.cpu_cores = 0),
        (InvalidCpuCores, |args| {
            args.specs.cpu_cores = MAX_CPU_CORES + 1
        }),
        (InvalidRam, |args| args.specs.ram_mib = 0),
        (InvalidRam, |args| args.specs.ram_mib = MAX_RAM_MIB + 1),
        (InvalidStorage, |args| {
            args.specs.storage_gib = MAX_STORAGE_GIB + 1
        }),
        (InvalidPrice, |args| args.price_per_gpu_hour = 0),
        (InvalidPrice, |args| {
            args.price_per_gpu_hour = MAX_PRICE_PER_GPU_HOUR + 1
        }),
    ];
    let mut chain = Chain::new();
    let owner = chain.funded_keypair();

    for (expected, spoil) in cases {
        let agent = Keypair::new();
        let mut args = sample_device(DEVICE_ID);
        spoil(&mut args);
        let balance_before = chain.balance(&owner.pubkey());

        let result = chain.send(
            ix::register_device(&owner.pubkey(), &agent.pubkey(), args.clone()),
            &[&owner, &agent],
        );

        assert_fails(result, expected);
        assert!(
            !chain.exists(&pda::device(&args.device_id)),
            "{args:?} created no device"
        );
        assert_eq!(
            balance_before - chain.balance(&owner.pubkey()),
            2 * FEE_PER_SIGNATURE,
            "{args:?}"
        );
    }
}

#[test]
fn registration_needs_the_agents_signature_and_an_agent_other_than_the_owner() {
    let mut chain = Chain::new();
    let owner = chain.funded_keypair();
    let agent = Keypair::new();

    // Without the agent's signature the transaction cannot even be signed for it; with the
    // agent's key listed but unsigned, the program refuses.
    let mut unsigned =
        ix::register_device(&owner.pubkey(), &agent.pubkey(), sample_device(DEVICE_ID));
    unsigned.accounts[1].is_signer = false;
    assert_fails(
        chain.send(unsigned, &[&owner]),
        AnchorErrorCode::AccountNotSigner,
    );
    // The owner as its own agent: one key would both own and probe the device.
    let as_own_agent =
        ix::register_device(&owner.pubkey(), &owner.pubkey(), sample_device(DEVICE_ID));
    assert_fails(
        chain.send(as_own_agent, &[&owner]),
        RegistryError::InvalidAgentKey,
    );
    assert!(!chain.exists(&pda::device(DEVICE_ID)));

    let register = ix::register_device(&owner.pubkey(), &agent.pubkey(), sample_device(DEVICE_ID));
    succeeded(chain.send(register, &[&owner, &agent]));
    assert_eq!(chain.device(&pda::device(DEVICE_ID)).agent, agent.pubkey());
}

#[test]
fn registering_a_taken_device_id_fails_and_changes_nothing() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let squatter = chain.funded_keypair();
    let squatter_agent = Keypair::new();
    let account_before = chain.account(&device.key);
    let squatter_balance_before = chain.balance(&squatter.pubkey());
    let mut args = sample_device(DEVICE_ID);
    args.name = "not-yours".to_string();

    let register = ix::register_device(&squatter.pubkey(), &squatter_agent.pubkey(), args);
    let result = chain.send(register, &[&squatter, &squatter_agent]);

    assert_fails(result, Expected::AccountAlreadyInUse);
    assert_eq!(chain.account(&device.key), account_before);
    assert_eq!(chain.device(&device.key).owner, device.owner.pubkey());
    assert_eq!(
        squatter_balance_before - chain.balance(&squatter.pubkey()),
        2 * FEE_PER_SIGNATURE
    );
}

// update_device

#[test]
fn update_device_by_the_owner_replaces_the_offer_and_reports_before_and_after() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let new_specs = DeviceSpecs {
        gpu_count: 4,
        bandwidth_tier: BandwidthTier::Ultra,
        ..sample_specs()
    };
    chain.set_time(NOW + 3_600);
    let args = UpdateDeviceArgs {
        gpu_model: Some("NVIDIA H200 141GB HBM3e".to_string()),
        region: Some("de-fra".to_string()),
        specs: Some(new_specs),
        price_per_gpu_hour: Some(3_100_000),
    };

    let meta = succeeded(chain.send(
        ix::update_device(&device.owner.pubkey(), &device.key, args),
        &[&device.owner],
    ));

    let state = chain.device(&device.key);
    assert_eq!(state.gpu_model, "NVIDIA H200 141GB HBM3e");
    assert_eq!(state.region, "de-fra");
    assert_eq!(state.specs, new_specs);
    assert_eq!(state.price_per_gpu_hour, 3_100_000);
    assert_eq!(
        state.agent,
        device.agent.pubkey(),
        "the agent changes only by change_agent"
    );
    assert_eq!(state.updated_at, NOW + 3_600);
    assert_eq!(state.registered_at, NOW);
    assert_eq!(state.owner, device.owner.pubkey());
    assert_eq!(
        state.name, "rig-01",
        "the name changes only by rename_device"
    );
    assert_eq!(state.status, DeviceStatus::Active);

    let event: DeviceUpdated = only_event(&meta);
    assert_eq!(event.device, device.key);
    assert_eq!(event.owner, device.owner.pubkey());
    assert_eq!(event.gpu_model_before, "NVIDIA H100 80GB HBM3");
    assert_eq!(event.gpu_model_after, "NVIDIA H200 141GB HBM3e");
    assert_eq!(
        (event.region_before.as_str(), event.region_after.as_str()),
        ("us-east", "de-fra")
    );
    assert_eq!(
        (event.specs_before, event.specs_after),
        (sample_specs(), new_specs)
    );
    assert_eq!(
        (
            event.price_per_gpu_hour_before,
            event.price_per_gpu_hour_after
        ),
        (2_500_000, 3_100_000)
    );
    assert_eq!(event.updated_at, NOW + 3_600);
}

#[test]
fn update_device_changes_only_the_fields_given() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let args = UpdateDeviceArgs {
        price_per_gpu_hour: Some(1_990_000),
        ..Default::default()
    };

    succeeded(chain.send(
        ix::update_device(&device.owner.pubkey(), &device.key, args),
        &[&device.owner],
    ));

    let mut expected = sample_device(DEVICE_ID);
    expected.price_per_gpu_hour = 1_990_000;
    assert_registered_as(
        &chain.device(&device.key),
        &expected,
        (&device.owner.pubkey(), &device.agent.pubkey()),
        NOW,
    );
}

#[test]
fn update_device_by_a_stranger_fails_with_not_device_owner() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let stranger = chain.funded_keypair();
    let account_before = chain.account(&device.key);
    let spoof = UpdateDeviceArgs {
        gpu_model: Some("NVIDIA B200".to_string()),
        specs: Some(DeviceSpecs {
            gpu_count: 64,
            ..sample_specs()
        }),
        ..Default::default()
    };

    let result = chain.send(
        ix::update_device(&stranger.pubkey(), &device.key, spoof.clone()),
        &[&stranger],
    );
    assert_fails(result, RegistryError::NotDeviceOwner);

    // Naming the owner without the owner's signature does not work either.
    let mut unsigned = ix::update_device(&device.owner.pubkey(), &device.key, spoof);
    unsigned.accounts[0].is_signer = false;
    assert_fails(
        chain.send(unsigned, &[&stranger]),
        AnchorErrorCode::AccountNotSigner,
    );

    assert_eq!(chain.account(&device.key), account_before);
}

#[test]
fn the_agent_cannot_update_rename_or_deregister_its_device() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let agent = device.agent.pubkey();
    let account_before = chain.account(&device.key);
    let price_cut = UpdateDeviceArgs {
        price_per_gpu_hour: Some(1),
        ..Default::default()
    };
    let new_specs = UpdateDeviceArgs {
        specs: Some(DeviceSpecs {
            gpu_count: 1,
            ..sample_specs()
        }),
        ..Default::default()
    };

    for attempt in [
        ix::update_device(&agent, &device.key, price_cut),
        ix::update_device(&agent, &device.key, new_specs),
        ix::rename_device(&agent, &device.key, "agent-renamed"),
        ix::deregister_device(&agent, &device.device_id),
    ] {
        assert_fails(
            chain.send(attempt, &[&device.agent]),
            RegistryError::NotDeviceOwner,
        );
    }
    assert_eq!(chain.account(&device.key), account_before);
}

#[test]
fn update_device_without_a_change_fails_with_nothing_to_update() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let owner = device.owner.pubkey();
    let restated = UpdateDeviceArgs {
        gpu_model: Some("NVIDIA H100 80GB HBM3".to_string()),
        region: Some("us-east".to_string()),
        specs: Some(sample_specs()),
        price_per_gpu_hour: Some(2_500_000),
    };

    for args in [UpdateDeviceArgs::default(), restated] {
        let result = chain.send(
            ix::update_device(&owner, &device.key, args),
            &[&device.owner],
        );
        assert_fails(result, RegistryError::NothingToUpdate);
    }
}

#[test]
fn update_device_rejects_invalid_values_by_their_error_name() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let owner = device.owner.pubkey();
    let account_before = chain.account(&device.key);
    let cases = [
        (
            UpdateDeviceArgs {
                gpu_model: Some(String::new()),
                ..Default::default()
            },
            RegistryError::InvalidGpuModel,
        ),
        (
            UpdateDeviceArgs {
                region: Some("EU".to_string()),
                ..Default::default()
            },
            RegistryError::InvalidRegion,
        ),
        (
            UpdateDeviceArgs {
                specs: Some(DeviceSpecs {
                    gpu_count: 0,
                    ..sample_specs()
                }),
                ..Default::default()
            },
            RegistryError::InvalidGpuCount,
        ),
        (
            UpdateDeviceArgs {
                specs: Some(DeviceSpecs {
                    ram_mib: 0,
                    ..sample_specs()
                }),
                ..Default::default()
            },
            RegistryError::InvalidRam,
        ),
        (
            UpdateDeviceArgs {
                price_per_gpu_hour: Some(0),
                ..Default::default()
            },
            RegistryError::InvalidPrice,
        ),
    ];

    for (args, expected) in cases {
        let result = chain.send(
            ix::update_device(&owner, &device.key, args),
            &[&device.owner],
        );
        assert_fails(result, expected);
    }
    assert_eq!(chain.account(&device.key), account_before);
}

#[test]
fn while_reserved_hardware_and_agent_are_frozen_but_the_price_may_change() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let owner = device.owner.pubkey();
    let reservation = Pubkey::new_unique();
    chain.modify_device(&device.key, |state| state.reservation = reservation);
    let account_before = chain.account(&device.key);
    let frozen_changes = [
        UpdateDeviceArgs {
            gpu_model: Some("NVIDIA A100".to_string()),
            ..Default::default()
        },
        UpdateDeviceArgs {
            region: Some("ap-south".to_string()),
            ..Default::default()
        },
        UpdateDeviceArgs {
            specs: Some(DeviceSpecs {
                vram_mib: 40_960,
                ..sample_specs()
            }),
            ..Default::default()
        },
        UpdateDeviceArgs {
            price_per_gpu_hour: Some(1_000_000),
            region: Some("ap-south".to_string()),
            ..Default::default()
        },
    ];

    for args in frozen_changes {
        let result = chain.send(
            ix::update_device(&owner, &device.key, args),
            &[&device.owner],
        );
        assert_fails(result, RegistryError::DeviceReserved);
    }
    assert_eq!(chain.account(&device.key), account_before);

    let reprice = UpdateDeviceArgs {
        price_per_gpu_hour: Some(1_000_000),
        ..Default::default()
    };
    let meta = succeeded(chain.send(
        ix::update_device(&owner, &device.key, reprice),
        &[&device.owner],
    ));

    let state = chain.device(&device.key);
    assert_eq!(state.price_per_gpu_hour, 1_000_000);
    assert_eq!(state.reservation, reservation, "still reserved");
    let event: DeviceUpdated = only_event(&meta);
    assert_eq!(
        (
            event.price_per_gpu_hour_before,
            event.price_per_gpu_hour_after
        ),
        (2_500_000, 1_000_000)
    );
    assert_eq!(event.specs_before, event.specs_after);
}

// rename_device

#[test]
fn rename_device_by_the_owner_sets_the_name_and_emits_device_renamed() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    chain.set_time(NOW + 60);

    let meta = succeeded(chain.send(
        ix::rename_device(&device.owner.pubkey(), &device.key, "rack-b · node 7"),
        &[&device.owner],
    ));

    let state = chain.device(&device.key);
    assert_eq!(state.name, "rack-b · node 7");
    assert_eq!(state.updated_at, NOW + 60);
    let event: DeviceRenamed = only_event(&meta);
    assert_eq!(event.device, device.key);
    assert_eq!(event.owner, device.owner.pubkey());
    assert_eq!(event.name_before, "rig-01");
    assert_eq!(event.name_after, "rack-b · node 7");
    assert_eq!(event.updated_at, NOW + 60);
}

#[test]
fn rename_device_rejects_the_same_name_and_invalid_names() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let owner = device.owner.pubkey();

    let same = chain.send(
        ix::rename_device(&owner, &device.key, "rig-01"),
        &[&device.owner],
    );
    assert_fails(same, RegistryError::NameUnchanged);
    for invalid in ["", "rig-01 ", "tab\there", &"n".repeat(33)] {
        let result = chain.send(
            ix::rename_device(&owner, &device.key, invalid),
            &[&device.owner],
        );
        assert_fails(result, RegistryError::InvalidName);
    }
    assert_eq!(chain.device(&device.key).name, "rig-01");
}

#[test]
fn rename_device_by_a_stranger_fails_with_not_device_owner() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let stranger = chain.funded_keypair();

    let result = chain.send(
        ix::rename_device(&stranger.pubkey(), &device.key, "free H100s"),
        &[&stranger],
    );

    assert_fails(result, RegistryError::NotDeviceOwner);
    assert_eq!(chain.device(&device.key).name, "rig-01");
}

// pause_device, resume_device, set_endpoint

#[test]
fn the_owner_and_the_agent_may_pause_and_resume_the_device() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let (owner, agent) = (device.owner.pubkey(), device.agent.pubkey());

    chain.set_time(NOW + 10);
    let meta = succeeded(chain.send(ix::pause_device(&owner, &device.key), &[&device.owner]));
    let state = chain.device(&device.key);
    assert_eq!(
        (state.status, state.updated_at),
        (DeviceStatus::Paused, NOW + 10)
    );
    let event: DeviceStatusChanged = only_event(&meta);
    assert_eq!((event.device, event.signer), (device.key, owner));
    assert_eq!(
        (event.status_before, event.status_after),
        (DeviceStatus::Active, DeviceStatus::Paused)
    );
    assert_eq!(event.updated_at, NOW + 10);

    let again = chain.send(ix::pause_device(&agent, &device.key), &[&device.agent]);
    assert_fails(again, RegistryError::DeviceAlreadyPaused);

    chain.set_time(NOW + 20);
    let meta = succeeded(chain.send(ix::resume_device(&agent, &device.key), &[&device.agent]));
    let state = chain.device(&device.key);
    assert_eq!(
        (state.status, state.updated_at),
        (DeviceStatus::Active, NOW + 20)
    );
    let event: DeviceStatusChanged = only_event(&meta);
    assert_eq!((event.device, event.signer), (device.key, agent));
    assert_eq!(
        (event.status_before, event.status_after),
        (DeviceStatus::Paused, DeviceStatus::Active)
    );
    assert_eq!(event.updated_at, NOW + 20);

    let again = chain.send(ix::resume_device(&owner, &device.key), &[&device.owner]);
    assert_fails(again, RegistryError::DeviceNotPaused);

    succeeded(chain.send(ix::pause_device(&agent, &device.key), &[&device.agent]));
    succeeded(chain.send(ix::resume_device(&owner, &device.key), &[&device.owner]));
    assert_eq!(chain.device(&device.key).status, DeviceStatus::Active);
}

#[test]
fn a_reserved_device_may_be_paused_without_ending_the_reservation() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let reservation = Pubkey::new_unique();
    chain.modify_device(&device.key, |state| state.reservation = reservation);

    succeeded(chain.send(
        ix::pause_device(&device.agent.pubkey(), &device.key),
        &[&device.agent],
    ));

    let state = chain.device(&device.key);
    assert_eq!(state.status, DeviceStatus::Paused);
    assert_eq!(state.reservation, reservation);
}

#[test]
fn a_stranger_cannot_pause_resume_or_set_the_endpoint() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let stranger = chain.funded_keypair();
    let intruder = stranger.pubkey();

    let pause = chain.send(ix::pause_device(&intruder, &device.key), &[&stranger]);
    assert_fails(pause, RegistryError::NotDeviceOwnerOrAgent);
    let endpoint = chain.send(
        ix::set_endpoint(&intruder, &device.key, "https://evil.example"),
        &[&stranger],
    );
    assert_fails(endpoint, RegistryError::NotDeviceOwnerOrAgent);
    succeeded(chain.send(
        ix::pause_device(&device.owner.pubkey(), &device.key),
        &[&device.owner],
    ));
    let resume = chain.send(ix::resume_device(&intruder, &device.key), &[&stranger]);
    assert_fails(resume, RegistryError::NotDeviceOwnerOrAgent);

    let state = chain.device(&device.key);
    assert_eq!(state.status, DeviceStatus::Paused);
    assert_eq!(state.endpoint, "https://203.0.113.7:7443/probe");
}

#[test]
fn the_owner_and_the_agent_may_set_the_endpoint() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let (owner, agent) = (device.owner.pubkey(), device.agent.pubkey());

    chain.set_time(NOW + 5);
    let meta = succeeded(chain.send(
        ix::set_endpoint(&agent, &device.key, "https://198.51.100.4:7443/probe"),
        &[&device.agent],
    ));
    let state = chain.device(&device.key);
    assert_eq!(state.endpoint, "https://198.51.100.4:7443/probe");
    assert_eq!(state.updated_at, NOW + 5);
    let event: DeviceEndpointSet = only_event(&meta);
    assert_eq!((event.device, event.signer), (device.key, agent));
    assert_eq!(event.endpoint_before, "https://203.0.113.7:7443/probe");
    assert_eq!(event.endpoint_after, "https://198.51.100.4:7443/probe");
    assert_eq!(event.updated_at, NOW + 5);

    // Empty: reachable only through the relay.
    let meta = succeeded(chain.send(ix::set_endpoint(&owner, &device.key, ""), &[&device.owner]));
    assert_eq!(chain.device(&device.key).endpoint, "");
    let event: DeviceEndpointSet = only_event(&meta);
    assert_eq!(event.signer, owner);
    assert_eq!(event.endpoint_before, "https://198.51.100.4:7443/probe");
    assert_eq!(event.endpoint_after, "");

    let same = chain.send(ix::set_endpoint(&owner, &device.key, ""), &[&device.owner]);
    assert_fails(same, RegistryError::NothingToUpdate);
    for invalid in ["has space", &"e".repeat(97)] {
        let result = chain.send(
            ix::set_endpoint(&agent, &device.key, invalid),
            &[&device.agent],
        );
        assert_fails(result, RegistryError::InvalidEndpoint);
    }
    assert_eq!(chain.device(&device.key).endpoint, "");
}

// deregister_device

#[test]
fn deregister_device_closes_the_account_and_returns_its_rent_to_the_owner() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let owner = device.owner.pubkey();
    let rent = chain.rent(device_space());
    assert_eq!(chain.balance(&device.key), rent);
    let balance_before = chain.balance(&owner);

    let meta = succeeded(chain.send(
        ix::deregister_device(&owner, &device.device_id),
        &[&device.owner],
    ));

    assert!(!chain.exists(&device.key), "the device account is closed");
    // The owner pays the rent of the history record the id leaves behind.
    let history = pda::device_history(DEVICE_ID);
    let history_rent = chain.rent(8 + DeviceHistory::INIT_SPACE);
    assert_eq!(chain.balance(&history), history_rent);
    assert_eq!(
        chain.balance(&owner),
        balance_before + rent - history_rent - FEE_PER_SIGNATURE
    );
    let record: DeviceHistory = chain.registry_account(&history);
    assert_eq!(record.device_id_hash, sha256(DEVICE_ID));
    assert_eq!(
        (record.passes, record.failures, record.deregistered_at),
        (0, 0, NOW)
    );
    let event: DeviceDeregistered = only_event(&meta);
    assert_eq!(event.device, device.key);
    assert_eq!(event.owner, owner);
    assert_eq!(event.device_id, DEVICE_ID);
    assert_eq!(event.rent_returned, rent);
    assert_eq!(event.history, history);

    // The id is free again, for anyone.
    let next_owner = chain.funded_keypair();
    let next_agent = Keypair::new();
    let args = sample_device(DEVICE_ID);
    succeeded(chain.send(
        ix::register_device(&next_owner.pubkey(), &next_agent.pubkey(), args),
        &[&next_owner, &next_agent],
    ));
    assert_eq!(chain.device(&device.key).owner, next_owner.pubkey());
    assert!(
        !chain.exists(&history),
        "the next registration closes the history record"
    );
}

#[test]
fn deregister_device_by_a_stranger_fails_with_not_device_owner() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let stranger = chain.funded_keypair();
    let account_before = chain.account(&device.key);

    let result = chain.send(
        ix::deregister_device(&stranger.pubkey(), &device.device_id),
        &[&stranger],
    );

    assert_fails(result, RegistryError::NotDeviceOwner);
    assert_eq!(chain.account(&device.key), account_before);
}

#[test]
fn deregister_device_is_refused_while_the_device_is_reserved() {
    let mut chain = Chain::new();
    let device = chain.register_device(DEVICE_ID);
    let owner = device.owner.pubkey();
    chain.modify_device(&device.key, |state| {
        state.reservation = Pubkey::new_unique()
    });
    let account_before = chain.account(&device.key);

    let result = chain.send(
        ix::deregister_device(&owner, &device.device_id),
        &[&device.owner],
    );

    assert_fails(result, RegistryError::DeviceReserved);
    assert_eq!(chain.account(&device.key), account_before);

    chain.modify_device(&device.key, |state| state.reservation = Pubkey::default());
    succeeded(chain.send(
        ix::deregister_device(&owner, &device.device_id),
        &[&device.owner],
    ));
    assert!(!chain.exists(&device.key));
}
