//! The workspace's programs, loaded natively at their declared ids. A new program is one line.

use {iogrid_svm::anchor_processor, litesvm::LiteSVM, solana_pubkey::Pubkey};

pub struct WorkspaceProgram {
    pub name: &'static str,
    pub id: Pubkey,
    pub process_instruction: iogrid_svm::ProcessInstruction,
}

pub fn workspace_programs() -> Vec<WorkspaceProgram> {
    vec![
        WorkspaceProgram {
            name: "registry",
            id: registry::ID,
            process_instruction: anchor_processor!(registry::entry),
        },
        WorkspaceProgram {
            name: "iotoken",
            id: iotoken::ID,
            process_instruction: anchor_processor!(iotoken::entry),
        },
        WorkspaceProgram {
            name: "staking",
            id: staking::ID,
            process_instruction: anchor_processor!(staking::entry),
        },
        WorkspaceProgram {
            name: "market",
            id: market::ID,
            process_instruction: anchor_processor!(market::entry),
        },
    ]
}

pub fn load(svm: &mut LiteSVM) {
    for program in workspace_programs() {
        iogrid_svm::add_native_program(svm, program.id, program.process_instruction);
    }
}
