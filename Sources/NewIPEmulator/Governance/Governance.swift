import Crypto
import NewIPDataPlane
import NewIPNode
import NewIPRandom
import NewIPSecurity
import NewIPTopology
import NewIPWire

/// The domains of a topology made concrete for one run (docs/topology.md, *Governance*): each
/// domain's first-hop secret (from the seed and the domain's name, so runs repeat), the
/// `SourceAuthentication` of its first hops, the source keys its enrolled members hold, and
/// the revocations to deliver at checkpoints.
struct Governance {
    /// Added to virtual time to get the authenticators' clock: 2030-01-01T00:00:00Z in
    /// nanoseconds since the Unix epoch (virtual time 0 is then that instant).
    static let epochOffset: UInt64 = 1_893_456_000 * 1_000_000_000
    /// The epoch index of every domain's one secret.
    static let secretEpoch: UInt8 = 0

    struct Domain {
        var spec: Topology.Domain
        var plan: Topology.DomainPlan
        var secret: FirstHopSecret
    }

    /// A revocation as the run delivers it: the address refused from `enforced` on.
    struct Revocation {
        var domain: Int
        var host: Int
        var address: FrameworkAddress
        var scheduled: Nanoseconds
        var enforced: Nanoseconds
    }

    /// How a flow's packets are sealed as they are sent.
    struct Sealing {
        /// Index into `senders`.
        var sender: Int
    }

    let domains: [Domain]
    let origins: [Topology.FlowOrigin]
    let revocations: [Revocation]
    /// Per flow: the sender that seals its packets, `nil` for plain ones.
    let sealing: [Int?]
    /// One per sealing host (and per spoofer's made-up key): the source key and a clock that never repeats.
    let senders: [SourceAuthSender]

    /// A policy that a domain's borders put in force at `at`.
    struct PolicyChange {
        var domain: Int
        var at: Nanoseconds
        var rules: [BorderPolicy.Rule]
    }

    /// Every domain's policy changes, in time order (ties: file order).
    let policyChanges: [PolicyChange]
    /// A member's addresses → its domain's number.
    let domainOf: [FrameworkAddress: UInt16]
    /// Per node: the routes honouring each path constraint (empty without constrained flows).
    let constrainedRoutes: [[PathConstraintItem: [(prefix: RoutePrefix, route: Route)]]]

    /// `nil` when the topology has no domains (the run is then exactly as without governance).
    init?(topology: Topology) {
        guard !topology.domains.isEmpty else { return nil }
        let plans = topology.domainPlans()
        let domains = plans.map { plan in
            let spec = topology.domains[plan.domain]
            var random = RandomStream(seed: topology.seed, name: "domain/\(spec.name)")
            var bytes = (random.next(), random.next())
            let key = withUnsafeBytes(of: &bytes) { SymmetricKey(data: $0) }
            return Domain(spec: spec, plan: plan, secret: FirstHopSecret(epoch: Self.secretEpoch, key: key))
        }
        let origins = topology.flowOrigins(plans: plans)
        self.domains = domains
        self.origins = origins
        var senders: [SourceAuthSender] = []
        var senderOf: [Int: Int] = [:]
        sealing = topology.flows.enumerated().map { index, flow -> Int? in
            let origin = origins[index]
            guard let domain = origin.domain, origin.carriesAuthenticator else { return nil }
            let node = flow.source.node
            if let existing = senderOf[node] { return existing }
            let key: SourceKey
            switch origin.seal {
            case .sourceKey:
                key = domains[domain].secret.sourceKey(for: topology.interface(flow.source).address)
            default:
                // A spoofer does not hold the claimed source's key: it seals with one it made up.
                var random = RandomStream(seed: topology.seed, name: "spoofer/\(topology.nodes[node].name)")
                var bytes = (random.next(), random.next())
                key = SourceKey(epoch: Self.secretEpoch, key: withUnsafeBytes(of: &bytes) { SymmetricKey(data: $0) })
            }
            senderOf[node] = senders.count
            senders.append(SourceAuthSender(key: key))
            return senders.count - 1
        }
        self.senders = senders
        var revocations: [Revocation] = []
        for (index, domain) in domains.enumerated() {
            for revocation in domain.spec.revocations {
                guard let host = topology.nodeIndex(named: revocation.host),
                      let address = topology.nodes[host].interfaces.first(where: {
                          Topology.Network($0.address, dialect: topology.dialect) == .newIP
                      })?.address else { continue }
                revocations.append(Revocation(domain: index, host: host, address: address, scheduled: revocation.at,
                                              enforced: domain.spec.enforcement(of: revocation.at)))
            }
        }
        self.revocations = revocations
        var domainOf: [FrameworkAddress: UInt16] = [:]
        for domain in domains {
            for member in domain.plan.members {
                for interface in topology.nodes[member].interfaces { domainOf[interface.address] = topology.domainNumber(domain.plan.domain) }
            }
        }
        self.domainOf = domainOf
        var changes: [PolicyChange] = []
        for (index, domain) in domains.enumerated() {
            for change in domain.spec.policyChanges {
                changes.append(PolicyChange(domain: index, at: change.at, rules: change.rules.map { Self.rule($0, in: topology) }))
            }
        }
        policyChanges = changes.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        constrainedRoutes = RoutingTables.constrainedRoutes(for: topology)
    }

    /// A rule of the file as the border evaluates it (domains by number).
    static func rule(_ rule: Topology.PolicyRule, in topology: Topology) -> BorderPolicy.Rule {
        BorderPolicy.Rule(rule) { name in topology.domainIndex(named: name).map(topology.domainNumber) }
    }

    /// The border policy of node `index` when it is a border router of a domain: the
    /// domain's first policy, the members' addresses, and the domain's own secret (so
    /// its members' packets can be proven there).
    func borderPolicy(node index: Int, in topology: Topology) -> BorderPolicy? {
        for domain in domains where domain.plan.border.contains(index) {
            let verifier = SourceAuthVerifier(secrets: [domain.secret], window: UInt64(domain.spec.window), now: Self.epochOffset)
            return BorderPolicy(rules: domain.spec.policy.map { Self.rule($0, in: topology) }, domainOf: domainOf,
                                verifiers: [topology.domainNumber(domain.plan.domain): verifier], clockOffset: Self.epochOffset)
        }
        return nil
    }

    /// The path-constraint routing of node `index` (`nil` when no flow carries a constraint).
    func pathConstraints(node index: Int) -> PathConstraintRouting? {
        guard constrainedRoutes.indices.contains(index), !constrainedRoutes[index].isEmpty else { return nil }
        var tables: [PathConstraintItem: ForwardingTable] = [:]
        for (item, routes) in constrainedRoutes[index] {
            var table = ForwardingTable()
            for entry in routes { table.insert(entry.route, for: entry.prefix) }
            tables[item] = table
        }
        return PathConstraintRouting(tables: tables)
    }

    /// The source authentication of node `index` when it is a first hop of a domain.
    func sourceAuthentication(node index: Int) -> SourceAuthentication? {
        for domain in domains {
            guard let hop = domain.plan.firstHops.first(where: { $0.node == index }) else { continue }
            let verifier = SourceAuthVerifier(secrets: [domain.secret], window: UInt64(domain.spec.window), now: Self.epochOffset)
            let admission: SourceAuthentication.Admission = domain.spec.admission == .open ? .open : .registered
            return SourceAuthentication(admission: admission, verifier: verifier, firstHopInterfaces: Set(hop.interfaces),
                                        clockOffset: Self.epochOffset)
        }
        return nil
    }

    /// The packet template of flow `index`: the claimed source, room for the authenticator.
    func template(flow index: Int, in topology: Topology) throws(UnitProblem) -> PacketTemplate {
        let origin = origins[index]
        return try PacketTemplate(flow: topology.flows[index], in: topology, source: origin.claimed,
                                  authenticator: origin.carriesAuthenticator ? .placeholder : nil)
    }

    /// The drop reasons a first hop's source check gives.
    static let reasons: [DropReason] = [.unauthenticated, .badMAC, .staleTimestamp, .replay, .spoofedSource, .unknownEpoch,
                                        .badAuthenticator, .revoked]
}

/// What the run saw of one revocation.
struct RevocationRecord {
    /// The first packet from the revoked address a first hop dropped as `revoked`.
    var firstDrop: Nanoseconds?
    /// Packets from the revoked host sent at or after the scheduled time that were still delivered.
    var deliveredAfterScheduled = 0
    var revokedDrops = 0
}
