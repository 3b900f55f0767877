import NewIPDataPlane
import NewIPJSON
import NewIPTopology

/// What the domains' first hops decided in a run (docs/topology.md, *Governance*).
public struct GovernanceResult: Sendable {
    public struct FirstHop: Sendable {
        public var name: String
        /// Forwarded with a proven source.
        public var proven: Int
        /// Forwarded without an authenticator (open admission only).
        public var unproven: Int
        /// Refused by the source check, by reason (`unauthenticated`, `bad-mac`, `revoked`, ...).
        public var drops: [(reason: String, count: Int)]
    }

    public struct Revocation: Sendable {
        public var host: String
        public var address: String
        /// When the domain decided it.
        public var scheduled: Nanoseconds
        /// The checkpoint that brought it to the first hops; `nil` when that falls after the run.
        public var enforced: Nanoseconds?
        /// The first packet from the address a first hop dropped as `revoked`; `nil` if none.
        public var firstDrop: Nanoseconds?
        /// Packets from the address dropped as `revoked`.
        public var revokedDrops: Int
        /// Packets from the address sent at or after `scheduled` that were still delivered.
        public var deliveredAfterScheduled: Int

        /// The measured revocation-to-first-drop time.
        public var timeToFirstDrop: Nanoseconds? { firstDrop.map { $0 - scheduled } }
    }

    public struct Domain: Sendable {
        public var name: String
        public var admission: Topology.Domain.Admission
        public var window: Nanoseconds
        public var checkpointInterval: Nanoseconds
        public var members: [String]
        /// Members holding a source key (they seal their packets).
        public var enrolled: [String]
        /// Spoofer → the host whose address it claims.
        public var spoofers: [(host: String, claims: String, authenticator: Topology.Domain.Forgery)]
        public var firstHops: [FirstHop]
        public var revocations: [Revocation]
        /// Border routers (empty: the domain declares none, and the files show no policy).
        public var border: [String] = []
        /// Each policy the borders had in force, in time order.
        public var policies: [PolicyPeriod] = []
    }

    /// A policy in force from `from` (a change, or the start) and what its rules decided.
    public struct PolicyPeriod: Sendable {
        public var from: Nanoseconds
        /// Each rule as written, and the packets it matched first (summed over the borders).
        public var rules: [(rule: String, action: String, matched: Int)]
        /// Packets no rule matched (permitted).
        public var defaultPermits: Int
    }

    public var domains: [Domain]
    /// What every node on each flow's path could see and do (`ExposureReport`).
    public var exposure: ExposureReport
}

extension GovernanceResult {
    init(_ simulator: Simulator, _ governance: Governance) {
        let topology = simulator.topology
        var revocationsByDomain = Array(repeating: [Revocation](), count: governance.domains.count)
        for (index, revocation) in governance.revocations.enumerated() {
            let record = simulator.revocationRecords[index]
            revocationsByDomain[revocation.domain].append(Revocation(
                host: topology.nodes[revocation.host].name, address: "\(revocation.address)", scheduled: revocation.scheduled,
                enforced: revocation.enforced < topology.duration ? revocation.enforced : nil, firstDrop: record.firstDrop,
                revokedDrops: record.revokedDrops, deliveredAfterScheduled: record.deliveredAfterScheduled))
        }
        domains = governance.domains.enumerated().map { index, domain in
            let names = { (nodes: [Int]) in nodes.map { topology.nodes[$0].name } }
            let hops = domain.plan.firstHops.map { hop in
                let behaviour = simulator.behaviours[hop.node]
                let proofs = behaviour.sourceProofs
                let drops = behaviour.drops
                var counted = DropCounters()
                for reason in Governance.reasons { counted.record(reason, count: drops[reason]) }
                return FirstHop(name: topology.nodes[hop.node].name, proven: proofs?.proven ?? 0, unproven: proofs?.unproven ?? 0,
                                drops: counted.sorted)
            }
            let spoofers = domain.plan.members.compactMap { member -> (String, String, Topology.Domain.Forgery)? in
                domain.plan.spoofers[member].map { (topology.nodes[member].name, topology.nodes[$0.claims].name, $0.authenticator) }
            }
            var result = Domain(name: domain.spec.name, admission: domain.spec.admission, window: domain.spec.window,
                                checkpointInterval: domain.spec.checkpointInterval, members: names(domain.plan.members),
                                enrolled: names(domain.plan.members.filter { domain.plan.enrolled.contains($0) }),
                                spoofers: spoofers, firstHops: hops, revocations: revocationsByDomain[index])
            result.border = names(domain.plan.border)
            if !domain.plan.border.isEmpty {
                let finished = simulator.policyPeriods[index]
                var periods = finished.map { ($0.from, $0.counters) }
                if let current = simulator.currentPolicyCounters(domain: index) { periods.append((simulator.policyStart[index], current)) }
                result.policies = periods.map { from, counters in
                    let rules = domain.spec.policyRules(before: from + 1)
                    return PolicyPeriod(from: from, rules: rules.enumerated().map { ruleIndex, rule in
                        (rule.text, rule.action.rawValue, ruleIndex < counters.matches.count ? counters.matches[ruleIndex] : 0)
                    }, defaultPermits: counters.defaultPermits)
                }
            }
            return result
        }
        exposure = ExposureReport(simulator, governance)
    }

    var json: JSONValue {
        .array(domains.map { domain in
            var members = domainMembers(domain)
            if !domain.border.isEmpty {
                members["border"] = .array(domain.border.map { .string($0) })
                members["policies"] = .array(domain.policies.map { period in
                    .members([
                        "from_ns": .integer(period.from),
                        "rules": .array(period.rules.map { rule in
                            .members(["rule": .string(rule.rule), "action": .string(rule.action), "matched": .int(rule.matched)])
                        }),
                        "default_permits": .int(period.defaultPermits),
                    ])
                })
            }
            return .members(members)
        })
    }

    private func domainMembers(_ domain: Domain) -> [String: JSONValue] {
            [
                "name": .string(domain.name),
                "admission": .string(domain.admission.rawValue),
                "window_ns": .integer(domain.window),
                "checkpoint_interval_ns": .integer(domain.checkpointInterval),
                "members": .array(domain.members.map { .string($0) }),
                "enrolled": .array(domain.enrolled.map { .string($0) }),
                "spoofers": .array(domain.spoofers.map { spoofer in
                    .members(["host": .string(spoofer.host), "claims": .string(spoofer.claims),
                              "authenticator": .string(spoofer.authenticator.rawValue)])
                }),
                "first_hops": .array(domain.firstHops.map { hop in
                    .members(["name": .string(hop.name), "proven": .int(hop.proven), "unproven": .int(hop.unproven),
                              "drops": dropsJSON(hop.drops)])
                }),
                "revocations": .array(domain.revocations.map { revocation in
                    .members([
                        "host": .string(revocation.host), "address": .string(revocation.address),
                        "scheduled_ns": .integer(revocation.scheduled),
                        "enforced_ns": revocation.enforced.map { .integer($0) } ?? .null,
                        "first_drop_ns": revocation.firstDrop.map { .integer($0) } ?? .null,
                        "time_to_first_drop_ns": revocation.timeToFirstDrop.map { .integer($0) } ?? .null,
                        "revoked_drops": .int(revocation.revokedDrops),
                        "delivered_after_scheduled": .int(revocation.deliveredAfterScheduled),
                    ])
                }),
            ]
    }
}
