import NewIPEmulator

// What the governance tests compare: exact outcomes per flow and per first hop.

/// Per flow: `name delivered/sent reason=count …`.
func outcomes(_ results: EmulationResults) -> [String] {
    results.flows.map { flow in
        ([flow.name, "\(flow.delivered)/\(flow.sent)"] + flow.drops.map { "\($0.reason)=\($0.count)" }).joined(separator: " ")
    }
}

/// Per first hop: `domain name proven=… unproven=… reason=count …`.
func firstHops(_ results: EmulationResults) -> [String] {
    (results.governance?.domains ?? []).flatMap { domain in
        domain.firstHops.map { hop in
            ([domain.name, hop.name, "proven=\(hop.proven)", "unproven=\(hop.unproven)"]
                + hop.drops.map { "\($0.reason)=\($0.count)" }).joined(separator: " ")
        }
    }
}
