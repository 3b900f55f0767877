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
/// the revocations to deliver at checkpoints. A domain with `self-certifying` gives each member
/// an identity key from the seed (stream `identity/<host>`) and the address derived from it;
/// one with `key-epoch` rotates its secret (`KeyEpochs`, the domain's secret as master) and
/// its senders move to each epoch's key at the boundary.
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
        /// The secret's schedule when it rotates (`key-epoch`); the previous epoch is accepted
        /// for `window` after each boundary.
        var epochs: KeyEpochs?

        /// A first hop's (or border's) verifier of this domain at clock `now`.
        func verifier(now: UInt64) -> SourceAuthVerifier {
            let window = UInt64(spec.window)
            if let epochs {
                return SourceAuthVerifier(rotating: epochs, window: window, selfCertifiedPrefixLength: spec.selfCertifying, now: now)
            }
            return SourceAuthVerifier(secrets: [secret], window: window, selfCertifiedPrefixLength: spec.selfCertifying, now: now)
        }

        /// The source key of `address` in the epoch in force at `clock`.
        func sourceKey(for address: FrameworkAddress, clock: UInt64) -> SourceKey {
            guard let epochs else { return secret.sourceKey(for: address) }
            return epochs.secret(number: epochs.number(at: clock)).sourceKey(for: address)
        }
    }

    /// A member's identity in a self-certifying domain: its public key and the address and
    /// modifier derived from it.
    struct Identity {
        var publicKey: [UInt8]
        var modifier: UInt8
        var address: FrameworkAddress
        var interface: Topology.InterfaceID
    }

    /// Where a sender's key comes from, epoch after epoch.
    enum Keying {
        /// The source key of `address` from domain `domain`'s secret (an enrolled member).
        case source(domain: Int, address: FrameworkAddress)
        /// A key the sender made up (a spoofer), labelled with whatever epoch is in force.
        case madeUp(domain: Int, key: SymmetricKey)
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
    /// Per sender: where its keys come from.
    let keying: [Keying]
    /// Members of self-certifying domains, by node.
    let identities: [Int: Identity]

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
            let epochs = spec.keyEpoch.map { KeyEpochs(master: key, period: UInt64($0), grace: UInt64(spec.window)) }
            return Domain(spec: spec, plan: plan, secret: FirstHopSecret(epoch: Self.secretEpoch, key: key), epochs: epochs)
        }
        let origins = topology.flowOrigins(plans: plans)
        self.domains = domains
        self.origins = origins
        identities = Self.identities(topology, plans: plans)
        var senders: [SourceAuthSender] = []
        var keying: [Keying] = []
        var senderOf: [Int: Int] = [:]
        sealing = topology.flows.enumerated().map { index, flow -> Int? in
            let origin = origins[index]
            guard let domain = origin.domain, origin.carriesAuthenticator else { return nil }
            let node = flow.source.node
            if let existing = senderOf[node] { return existing }
            switch origin.seal {
            case .sourceKey:
                keying.append(.source(domain: domain, address: topology.interface(flow.source).address))
            default:
                // A spoofer does not hold the claimed source's key: it seals with one it made up.
                var random = RandomStream(seed: topology.seed, name: "spoofer/\(topology.nodes[node].name)")
                var bytes = (random.next(), random.next())
                keying.append(.madeUp(domain: domain, key: withUnsafeBytes(of: &bytes) { SymmetricKey(data: $0) }))
            }
            senderOf[node] = senders.count
            senders.append(SourceAuthSender(key: Self.key(keying[senders.count], domains: domains, clock: Self.epochOffset)))
            return senders.count - 1
        }
        self.senders = senders
        self.keying = keying
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
            let verifier = domain.verifier(now: Self.epochOffset)
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

    /// The key `keying` gives for the epoch in force at `clock`.
    private static func key(_ keying: Keying, domains: [Domain], clock: UInt64) -> SourceKey {
        switch keying {
        case .source(let domain, let address):
            return domains[domain].sourceKey(for: address, clock: clock)
        case .madeUp(let domain, let key):
            return SourceKey(epoch: domains[domain].epochs.map { KeyEpochs.index(of: $0.number(at: clock)) } ?? Self.secretEpoch, key: key)
        }
    }

    /// Moves sender `index` to the key of the epoch in force at `clock` when its domain's
    /// secret has rotated since its last packet: the host fetches each epoch's key as it got
    /// the first (the emulator hands keys out itself), in time for the boundary.
    func renew(_ sender: inout SourceAuthSender, index: Int, clock: UInt64) {
        let domain: Int
        switch keying[index] {
        case .source(let owner, _), .madeUp(let owner, _): domain = owner
        }
        guard let epochs = domains[domain].epochs, sender.key.epoch != KeyEpochs.index(of: epochs.number(at: clock)) else { return }
        sender.use(Self.key(keying[index], domains: domains, clock: clock))
    }

    /// Each self-certifying domain's members: a key pair from the stream `identity/<host>` and
    /// the address it derives under the member's written address's first bits.
    static func identities(_ topology: Topology, plans: [Topology.DomainPlan]) -> [Int: Identity] {
        var identities: [Int: Identity] = [:]
        for (_, interface, prefixLength) in topology.selfCertifyingInterfaces(plans: plans) {
            let name = topology.nodes[interface.node].name
            var random = RandomStream(seed: topology.seed, name: "identity/\(name)")
            let seed = (0..<4).flatMap { _ in withUnsafeBytes(of: random.next().bigEndian) { Array($0) } }
            guard let identity = try? DeviceIdentity(seed: seed),
                  let (address, modifier) = SelfCertifyingAddress.generate(prefix: topology.interface(interface).address,
                                                                           prefixLength: prefixLength, publicKey: identity.publicKey)
            else { preconditionFailure("member `\(name)`: no self-certifying address, though Topology.problems() found nothing") }
            identities[interface.node] = Identity(publicKey: identity.publicKey, modifier: modifier, address: address, interface: interface)
        }
        return identities
    }

    /// `topology` with its self-certifying members' addresses derived from their keys (the
    /// run, its routes and its results use these).
    static func selfCertified(_ topology: Topology) -> Topology {
        guard topology.domains.contains(where: { $0.selfCertifying != nil }) else { return topology }
        let identities = identities(topology, plans: topology.domainPlans())
        return topology.replacingAddresses(Dictionary(uniqueKeysWithValues: identities.values.map { ($0.interface, $0.address) }))
    }

    /// The source authentication of node `index` when it is a first hop of a domain.
    func sourceAuthentication(node index: Int) -> SourceAuthentication? {
        for domain in domains {
            guard let hop = domain.plan.firstHops.first(where: { $0.node == index }) else { continue }
            let verifier = domain.verifier(now: Self.epochOffset)
            let admission: SourceAuthentication.Admission = domain.spec.admission == .open ? .open : .registered
            return SourceAuthentication(admission: admission, verifier: verifier, firstHopInterfaces: Set(hop.interfaces),
                                        clockOffset: Self.epochOffset)
        }
        return nil
    }

    /// The packet template of flow `index`: the claimed source, room for the authenticator
    /// (with the sender's own key in a self-certifying domain).
    func template(flow index: Int, in topology: Topology) throws(UnitProblem) -> PacketTemplate {
        let origin = origins[index]
        var authenticator: PacketTemplate.Authenticator?
        if origin.carriesAuthenticator {
            authenticator = .placeholder
            if let identity = identities[topology.flows[index].source.node] {
                let item = SourceAuthenticatorItem(epoch: 0, timestamp: 0,
                                                   keyProof: .init(publicKey: identity.publicKey, modifier: identity.modifier))
                authenticator = PacketTemplate.Authenticator(extensionItem: item.extensionItem, clause: item.clause)
            }
        }
        return try PacketTemplate(flow: topology.flows[index], in: topology, source: origin.claimed, authenticator: authenticator)
    }

    /// The drop reasons a first hop's source check gives.
    static let reasons: [DropReason] = [.unauthenticated, .badMAC, .staleTimestamp, .replay, .spoofedSource, .unknownEpoch,
                                        .staleEpoch, .badAuthenticator, .revoked]
}

/// What the run saw of one revocation.
struct RevocationRecord {
    /// The first packet from the revoked address a first hop dropped as `revoked`.
    var firstDrop: Nanoseconds?
    /// Packets from the revoked host sent at or after the scheduled time that were still delivered.
    var deliveredAfterScheduled = 0
    var revokedDrops = 0
}
