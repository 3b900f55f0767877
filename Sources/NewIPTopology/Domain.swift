import NewIPDataPlane
import NewIPWire

extension Topology {
    /// An administrative domain (docs/topology.md, *Governance*): hosts whose packets their
    /// first-hop routers check for a source authenticator, under an admission mode.
    ///
    /// - `open`: a packet without an authenticator goes on (counted unproven); one that
    ///   carries an authenticator must verify.
    /// - `registered`: only packets whose source is proven go on; the domain decides who holds
    ///   a source key (enrolment) and may revoke anyone.
    ///
    /// Names (hosts, routers) are kept as written and resolved by `problems()` and the emulator,
    /// so a domain built in code is checked as one read from a file.
    public struct Domain: Sendable {
        public enum Admission: String, Sendable, CaseIterable {
            case open, registered
        }

        /// What a spoofer's packets carry in place of an authenticator it cannot make.
        public enum Forgery: String, Sendable, CaseIterable {
            /// An authenticator sealed with a key that is not the claimed source's (a first hop
            /// refuses it as `bad-mac`).
            case forged
            /// No authenticator (refused as `unauthenticated` by a registered domain; forwarded
            /// unproven by an open one).
            case none
        }

        /// A member host whose packets claim another host's address, without its key.
        public struct Spoofer: Sendable {
            public var host: String
            /// The host whose (first) address the packets carry as their source.
            public var claims: String
            public var authenticator: Forgery
            public var location: SourceLocation?

            public init(host: String, claims: String, authenticator: Forgery = .forged, location: SourceLocation? = nil) {
                self.host = host
                self.claims = claims
                self.authenticator = authenticator
                self.location = location
            }
        }

        /// The domain revokes `host`'s address at `at`; its first hops learn it at the next
        /// checkpoint (`enforcement(of:)`).
        public struct Revocation: Sendable {
            public var host: String
            public var at: Nanoseconds
            public var location: SourceLocation?

            public init(host: String, at: Nanoseconds, location: SourceLocation? = nil) {
                self.host = host
                self.at = at
                self.location = location
            }
        }

        /// A policy in force from `at` on, replacing the previous one (a policy change).
        public struct PolicyChange: Sendable {
            public var at: Nanoseconds
            public var rules: [PolicyRule]
            public var location: SourceLocation?

            public init(at: Nanoseconds, rules: [PolicyRule], location: SourceLocation? = nil) {
                self.at = at
                self.rules = rules
                self.location = location
            }
        }

        public var name: String
        public var admission: Admission
        /// Hosts, by name.
        public var members: [String]
        /// Routers that check the members' packets, by name; `nil`: every router next to a member.
        public var firstHops: [String]?
        /// The authenticator's acceptance window (|now − timestamp|), at most 10 minutes.
        public var window: Nanoseconds
        /// How often the domain's revocation list reaches its first hops (the transparency
        /// log's checkpoint cadence).
        public var checkpointInterval: Nanoseconds
        /// Members that hold no source key (send plain packets).
        public var notEnrolled: [String]
        public var spoofers: [Spoofer]
        public var revocations: [Revocation]
        /// Routers linking the domain to others, by name: they evaluate `policy` on every
        /// packet that arrives, and belong to the domain (with its first hops) for path constraints.
        public var border: [String] = []
        /// The border's rules in force from the start, evaluated in order, first match wins,
        /// default permit.
        public var policy: [PolicyRule] = []
        /// Later policies, in time order.
        public var policyChanges: [PolicyChange] = []
        /// Open mode only: the members' addresses are self-certifying (docs/keys.md). Each
        /// member's first New IP address keeps its first `selfCertifying` bits as written and
        /// the rest is derived from the member's public key; its packets carry the key, and the
        /// first hops refuse a source that is not its key's address (`spoofed-source`).
        public var selfCertifying: Int?
        /// The first-hop secret rotates every `keyEpoch` (`KeyEpochs`; the previous epoch is
        /// accepted for `window` after each boundary); `nil`: one secret for the whole run.
        public var keyEpoch: Nanoseconds?
        /// Where the file wrote the domain (element) and its keys; list items as `members.0`,
        /// `first-hops.1`, `not-enrolled.0`.
        public var positions = SourcePositions()

        public static let defaultWindow: Nanoseconds = 2_000_000_000
        public static let defaultCheckpointInterval: Nanoseconds = 1_000_000_000
        /// The authenticator's 32-bit microsecond timestamp allows at most 10 minutes.
        public static let maximumWindow: Nanoseconds = 600_000_000_000

        public init(name: String, admission: Admission, members: [String], firstHops: [String]? = nil,
                    window: Nanoseconds = Domain.defaultWindow, checkpointInterval: Nanoseconds = Domain.defaultCheckpointInterval,
                    notEnrolled: [String] = [], spoofers: [Spoofer] = [], revocations: [Revocation] = []) {
            self.name = name
            self.admission = admission
            self.members = members
            self.firstHops = firstHops
            self.window = window
            self.checkpointInterval = checkpointInterval
            self.notEnrolled = notEnrolled
            self.spoofers = spoofers
            self.revocations = revocations
        }

        /// The rules in force just before `time` (the last change before it, else `policy`).
        public func policyRules(before time: Nanoseconds) -> [PolicyRule] {
            policyChanges.last { $0.at < time }?.rules ?? policy
        }

        /// When a revocation decided at `scheduled` reaches the first hops: the first checkpoint
        /// at or after it (checkpoints fall on multiples of `checkpointInterval`).
        public func enforcement(of scheduled: Nanoseconds) -> Nanoseconds {
            let interval = max(checkpointInterval, 1)
            let (quotient, remainder) = scheduled.quotientAndRemainder(dividingBy: interval)
            return remainder == 0 ? scheduled : (quotient + 1) * interval
        }
    }

    /// A border policy rule (docs/topology.md, *Border policy*): `{action: deny|permit,
    /// from-domain: X | any | none, to: PREFIX, contract: lbf|mdf|none, source: proven|unproven|any}`.
    public struct PolicyRule: Sendable {
        public enum Action: String, Sendable, CaseIterable {
            case permit, deny
        }

        /// Which contract the packet carries: a latency-based clause, a max-delay clause, neither.
        public enum ContractMatch: String, Sendable, CaseIterable {
            case any, lbf, mdf, none
        }

        /// Whether the packet's source is proven where the rule is evaluated.
        public enum SourceMatch: String, Sendable, CaseIterable {
            case any, proven, unproven
        }

        /// The domain the packet's source address belongs to.
        public enum FromDomain: Hashable, Sendable {
            case any
            /// The source address is no domain member's.
            case none
            case named(String)
        }

        public var action: Action
        public var fromDomain: FromDomain
        /// `nil`: any destination.
        public var to: RoutePrefix?
        public var contract: ContractMatch
        public var source: SourceMatch
        public var location: SourceLocation?

        public init(action: Action, fromDomain: FromDomain = .any, to: RoutePrefix? = nil, contract: ContractMatch = .any,
                    source: SourceMatch = .any, location: SourceLocation? = nil) {
            self.action = action
            self.fromDomain = fromDomain
            self.to = to
            self.contract = contract
            self.source = source
            self.location = location
        }

        /// The rule as the file would write it (keys that match anything left out).
        public var text: String {
            var parts = ["action: \(action.rawValue)"]
            switch fromDomain {
            case .any: break
            case .none: parts.append("from-domain: none")
            case .named(let name): parts.append("from-domain: \(name)")
            }
            if let to { parts.append("to: \"\(AddressText.text(to))\"") }
            if contract != .any { parts.append("contract: \(contract.rawValue)") }
            if source != .any { parts.append("source: \(source.rawValue)") }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }

    /// A flow's constraint on the domains its packets cross (docs/topology.md, *Path
    /// constraints*): `avoid: [X]` or `only-through: [Y, ...]`, domains by name.
    public struct PathConstraint: Sendable {
        public var mode: PathConstraintItem.Mode
        public var domains: [String]
        public var location: SourceLocation?

        public init(mode: PathConstraintItem.Mode, domains: [String], location: SourceLocation? = nil) {
            self.mode = mode
            self.domains = domains
            self.location = location
        }
    }

    /// The number a domain travels by in packets (path constraints): its position in
    /// `domains`, from 1.
    public func domainNumber(_ index: Int) -> UInt16 { UInt16(truncatingIfNeeded: index + 1) }

    /// The domain named `name`.
    public func domainIndex(named name: String) -> Int? { domains.firstIndex { $0.name == name } }

    /// The item `flow`'s packets carry for its path constraint; `nil` without one, or when a
    /// name resolves to no domain (`problems()` reports it).
    public func pathConstraintItem(of flow: Flow) -> PathConstraintItem? {
        guard let constraint = flow.pathConstraint else { return nil }
        let indices = constraint.domains.compactMap(domainIndex(named:))
        guard indices.count == constraint.domains.count else { return nil }
        return PathConstraintItem(mode: constraint.mode, domains: indices.map(domainNumber))
    }

    /// The routers a path constraint allows: for `avoid`, every router outside the listed
    /// domains; for `only-through`, the routers of the listed domains (a domain's routers are
    /// its first hops and its border).
    public func allowedRouters(for item: PathConstraintItem, plans: [DomainPlan]) -> Set<Int> {
        let listed = Set(item.domains)
        var inListed: Set<Int> = []
        for plan in plans where listed.contains(domainNumber(plan.domain)) { inListed.formUnion(plan.routers) }
        let routers = nodes.indices.filter { nodes[$0].kind.forwards }
        switch item.mode {
        case .avoid: return Set(routers).subtracting(inListed)
        case .onlyThrough: return inListed
        }
    }

    /// A domain resolved against the nodes (valid only when `problems()` found nothing).
    public struct DomainPlan: Sendable {
        /// A first hop and its interfaces that face member hosts (the ones it checks).
        public struct FirstHop: Sendable {
            public var node: Int
            public var interfaces: [Int]
        }

        /// Index into `Topology.domains`.
        public var domain: Int
        public var members: [Int]
        public var firstHops: [FirstHop]
        /// Members that hold a source key.
        public var enrolled: Set<Int>
        /// Spoofing member → (the host it claims to be, what it carries).
        public var spoofers: [Int: (claims: Int, authenticator: Domain.Forgery)]
        /// Border routers.
        public var border: [Int] = []

        /// The domain's routers: its first hops and its border.
        public var routers: Set<Int> { Set(firstHops.map(\.node)).union(border) }
    }

    /// The interfaces whose addresses are self-certifying: each member's first New IP
    /// interface in a domain with `selfCertifying`, with that prefix length.
    public func selfCertifyingInterfaces(plans: [DomainPlan]) -> [(domain: Int, interface: InterfaceID, prefixLength: Int)] {
        plans.flatMap { plan -> [(domain: Int, interface: InterfaceID, prefixLength: Int)] in
            guard let prefixLength = domains[plan.domain].selfCertifying else { return [] }
            return plan.members.compactMap { member in
                nodes[member].interfaces.firstIndex { Network($0.address, dialect: dialect) == .newIP }
                    .map { (plan.domain, InterfaceID(node: member, interface: $0), prefixLength) }
            }
        }
    }

    /// The topology with the given interfaces' addresses replaced (self-certifying addresses,
    /// derived from keys the file does not hold).
    public func replacingAddresses(_ addresses: [InterfaceID: FrameworkAddress]) -> Topology {
        var topology = self
        for (id, address) in addresses { topology.nodes[id.node].interfaces[id.interface].address = address }
        return topology
    }

    /// The node named `name`, the first one when two share it.
    public func nodeIndex(named name: String) -> Int? { nodes.firstIndex { $0.name == name } }

    /// The interfaces at the other end of each interface's link.
    func peers() -> [InterfaceID: InterfaceID] {
        var peers: [InterfaceID: InterfaceID] = [:]
        for link in links {
            peers[link.endpoints.0] = link.endpoints.1
            peers[link.endpoints.1] = link.endpoints.0
        }
        return peers
    }

    /// Routers next to `members` (in node order): a domain's default first hops.
    func routersNext(to members: Set<Int>, peers: [InterfaceID: InterfaceID]) -> [Int] {
        nodes.indices.filter { index in
            nodes[index].kind == .router && nodes[index].interfaces.indices.contains { interface in
                peers[InterfaceID(node: index, interface: interface)].map { members.contains($0.node) } ?? false
            }
        }
    }

    /// Each domain resolved: members, first hops with the interfaces they check, who holds a
    /// key, who spoofs whom. Names that resolve to nothing are left out (`problems()` reports them).
    public func domainPlans() -> [DomainPlan] {
        let peers = peers()
        return domains.enumerated().map { index, domain in
            let members = domain.members.compactMap(nodeIndex(named:))
            let memberSet = Set(members)
            let hopNodes = domain.firstHops.map { $0.compactMap(nodeIndex(named:)) } ?? routersNext(to: memberSet, peers: peers)
            let firstHops = hopNodes.map { node in
                DomainPlan.FirstHop(node: node, interfaces: nodes[node].interfaces.indices.filter { interface in
                    peers[InterfaceID(node: node, interface: interface)].map { memberSet.contains($0.node) } ?? false
                })
            }
            let notEnrolled = Set(domain.notEnrolled.compactMap(nodeIndex(named:)))
            var spoofers: [Int: (claims: Int, authenticator: Domain.Forgery)] = [:]
            for spoofer in domain.spoofers {
                if let host = nodeIndex(named: spoofer.host), let claims = nodeIndex(named: spoofer.claims) {
                    spoofers[host] = (claims, spoofer.authenticator)
                }
            }
            return DomainPlan(domain: index, members: members, firstHops: firstHops,
                              enrolled: memberSet.subtracting(notEnrolled), spoofers: spoofers,
                              border: domain.border.compactMap(nodeIndex(named:)))
        }
    }
}

extension Topology {
    /// What a flow's packets claim as their source and carry for it, from the domains.
    public struct FlowOrigin: Sendable {
        public enum Seal: Sendable, Equatable {
            /// No authenticator.
            case none
            /// Sealed with the source key the domain's first hops derive for the source (enrolled member).
            case sourceKey
            /// Sealed with a key the sender made up (a spoofer without the claimed source's key).
            case madeUpKey
        }

        /// The domain whose first hops check the flow's packets.
        public var domain: Int?
        /// The source address a spoofer's packets carry instead of their sender's.
        public var claimed: FrameworkAddress?
        public var seal: Seal

        public init(domain: Int? = nil, claimed: FrameworkAddress? = nil, seal: Seal = .none) {
            self.domain = domain
            self.claimed = claimed
            self.seal = seal
        }

        public var carriesAuthenticator: Bool { seal != .none }
    }

    /// One origin per flow (empty without domains). A flow from a member's New IP interface
    /// is sealed when the member holds a key; a spoofer's packets claim the other host's first
    /// New IP address and carry a made-up authenticator or none.
    public func flowOrigins(plans: [DomainPlan]? = nil) -> [FlowOrigin] {
        guard !domains.isEmpty else { return [] }
        let plans = plans ?? domainPlans()
        return flows.map { flowOrigin($0, plans: plans) }
    }

    /// `flow`'s origin under the domains `plans` (`domainPlans()`).
    public func flowOrigin(_ flow: Flow, plans: [DomainPlan]) -> FlowOrigin {
        let id = flow.source
        guard nodes.indices.contains(id.node), nodes[id.node].interfaces.indices.contains(id.interface), network(of: id) == .newIP,
              let plan = plans.first(where: { $0.members.contains(id.node) }) else { return FlowOrigin() }
        if let spoof = plan.spoofers[id.node] {
            let claimed = nodes[spoof.claims].interfaces.first { Network($0.address, dialect: dialect) == .newIP }?.address
            return FlowOrigin(domain: plan.domain, claimed: claimed, seal: spoof.authenticator == .forged ? .madeUpKey : .none)
        }
        return FlowOrigin(domain: plan.domain, seal: plan.enrolled.contains(id.node) ? .sourceKey : .none)
    }
}
