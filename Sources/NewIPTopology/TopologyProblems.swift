import NewIPDataPlane
import NewIPWire

/// Where an element of a topology was written in its file, for problems found after reading
/// it (`Topology.problems()`): the element itself, and the places its problems point at, by
/// key (`size`, `to`, a node's `kind` key, a link's `endpoints.0`). Empty for an element built
/// in code.
public struct SourcePositions: Hashable, Sendable {
    /// The element: a node's or interface's name, a link's or flow's entry.
    public var element: SourceLocation?
    public var keys: [String: SourceLocation]

    public init(_ element: SourceLocation? = nil, keys: [String: SourceLocation] = [:]) {
        self.element = element
        self.keys = keys
    }

    public subscript(key: String) -> SourceLocation? {
        get { keys[key] }
        set { keys[key] = newValue }
    }

    /// The first of `keys` that was written, else the element.
    public func first(_ keys: String...) -> SourceLocation? {
        for key in keys { if let location = self.keys[key] { return location } }
        return element
    }
}

/// One thing wrong with a topology however it was made (a file, a generator, code): where,
/// what is wrong, and the fix. The parser, `Emulation` and the real deployment all refuse a
/// topology with any (`Topology.problems()`).
public struct TopologyProblem: Hashable, Sendable, CustomStringConvertible {
    /// The element the problem is about.
    public enum Subject: Hashable, Sendable {
        case topology
        case node(Int)
        case interface(Topology.InterfaceID)
        case link(Int)
        case flow(Int)
        case domain(Int)
    }

    public var subject: Subject
    /// `file:line:column` of the value at fault, when the topology came from a file.
    public var location: SourceLocation?
    /// The topology's name and the element, for a topology built in code: "chain: flow `f`".
    public var place: String
    public var problem: String
    public var fix: String

    public init(_ subject: Subject, at location: SourceLocation?, place: String, _ problem: String, fix: String) {
        self.subject = subject
        self.location = location
        self.place = place
        self.problem = problem
        self.fix = fix
    }

    /// As `TopologyError` reports it: at `file:line:column`, or at `place` (with no position).
    public var diagnostic: TopologyDiagnostic {
        TopologyDiagnostic(at: location ?? SourceLocation(file: place, line: 0, column: 0), problem, fix: fix)
    }

    /// `file:line:column: what is wrong — how to fix it`, or `chain: flow `f`: what is wrong — how to fix it`.
    public var description: String { diagnostic.description }
}

extension TopologyError {
    /// The error for `problems` (at least one).
    public init(problems: [TopologyProblem]) {
        self.init(problems.map(\.diagnostic))
    }
}

extension Topology {
    /// Every semantic problem of the topology, in topology order: references that lead
    /// nowhere (a topology built in code), interfaces on no link or on two, links between two
    /// networks or within one node, addresses used twice, gateways that cannot translate,
    /// routes into the wrong network, and flows that cannot be sent (to their own node, to a
    /// destination with no name in their network, outside the run, packets that cannot hold
    /// their header and probe or exceed their first link's MTU). Empty: the topology can run.
    ///
    /// `TopologyParser`, `Emulation.init` and the real deployment (`nip up`, `nip run`) call
    /// it, so a topology from a file and one built in code are refused alike, with the same
    /// texts; from a file each problem is at `file:line:column`.
    public func problems() -> [TopologyProblem] {
        var checker = ProblemChecker(self)
        checker.check()
        return checker.found
    }

    /// The network a route prefix's addresses are in (compact dialect).
    static func network(of prefix: RoutePrefix) -> Network {
        switch prefix {
        case .ipv4: .ipv4
        case .ipv6: .ipv6
        case .compact, .eightBit: .newIP
        }
    }
}

/// `Topology.problems()`, check by check.
private struct ProblemChecker {
    let topology: Topology
    var found: [TopologyProblem] = []
    /// The first link each interface is on.
    var firstLink: [Topology.InterfaceID: Int] = [:]
    /// What each flow's packets claim and carry, when the topology has domains whose names resolve.
    var origins: [Topology.FlowOrigin] = []

    init(_ topology: Topology) { self.topology = topology }

    mutating func check() {
        checkDuration()
        checkNodes()
        checkLinks()
        checkAttachments()
        checkNodePrefixes()
        checkDomains()
        checkFlows()
    }

    // MARK: Reporting

    private func place(of subject: TopologyProblem.Subject) -> String {
        let name = topology.name
        switch subject {
        case .topology: return name
        case .node(let index): return "\(name): node `\(topology.nodes[index].name)`"
        case .interface(let id): return "\(name): interface `\(topology.name(of: id))`"
        case .link(let index):
            let link = topology.links[index]
            guard isValid(link.endpoints.0), isValid(link.endpoints.1) else { return "\(name): links[\(index)]" }
            return "\(name): link `\(topology.name(of: link.endpoints.0))`–`\(topology.name(of: link.endpoints.1))`"
        case .flow(let index): return "\(name): flow `\(topology.flows[index].name)`"
        case .domain(let index): return "\(name): domain `\(topology.domains[index].name)`"
        }
    }

    mutating func report(_ subject: TopologyProblem.Subject, at location: SourceLocation?, _ problem: String, fix: String) {
        found.append(TopologyProblem(subject, at: location, place: place(of: subject), problem, fix: fix))
    }

    private func isValid(_ id: Topology.InterfaceID) -> Bool {
        topology.nodes.indices.contains(id.node) && topology.nodes[id.node].interfaces.indices.contains(id.interface)
    }

    private var dialect: PacketDialect { topology.dialect }

    // MARK: The run

    private mutating func checkDuration() {
        if topology.duration <= 0 {
            report(.topology, at: topology.positions["duration"], "duration is zero", fix: "run for a positive time, e.g. 2s")
        }
    }

    // MARK: Nodes

    private mutating func checkNodes() {
        var nodeNames: [String: Int] = [:]
        var addressOwners: [FrameworkAddress: String] = [:]
        for (index, node) in topology.nodes.enumerated() {
            if let first = nodeNames[node.name] {
                report(.node(index), at: node.location, "node name `\(node.name)` is used twice (nodes[\(first)] and nodes[\(index)])",
                       fix: "give each node its own name")
            } else {
                nodeNames[node.name] = index
            }
            var interfaceNames: Set<String> = []
            for (position, interface) in node.interfaces.enumerated() {
                let id = Topology.InterfaceID(node: index, interface: position)
                if !interfaceNames.insert(interface.name).inserted {
                    report(.interface(id), at: interface.positions.element,
                           "node `\(node.name)` has two interfaces named `\(interface.name)`", fix: "give each interface of a node its own name")
                }
                // A formed address is the run's to check: duplicate address detection refuses it.
                if interface.formation != nil {
                } else if let owner = addressOwners[interface.address] {
                    report(.interface(id), at: interface.positions.first("address"),
                           "address \(interface.address) of `\(node.name):\(interface.name)` is already used by `\(owner)`",
                           fix: "give each interface its own address")
                } else {
                    addressOwners[interface.address] = "\(node.name):\(interface.name)"
                }
            }
            checkGateway(index)
            checkRoutes(index)
        }
    }

    /// A gateway joins a compact island to an IP network.
    private mutating func checkGateway(_ index: Int) {
        let node = topology.nodes[index]
        guard node.kind == .gateway else { return }
        let at = node.positions.first("kind")
        guard dialect == .compact else {
            report(.node(index), at: at, "gateway `\(node.name)` translates compact New IP to and from IP, and this topology is framework",
                   fix: "set `dialect: compact`, or make it a router")
            return
        }
        if !node.interfaces.isEmpty, !topology.isGateway(index) {
            report(.node(index), at: at, "gateway `\(node.name)` needs a compact interface and an IPv4 or IPv6 interface",
                   fix: "give one interface a compact address (0x10) and another an IP address (2001:db8::1)")
        }
    }

    /// A static route leaves by one of the node's interfaces, into the prefix's network.
    private mutating func checkRoutes(_ index: Int) {
        let node = topology.nodes[index]
        for route in node.routes {
            guard node.interfaces.indices.contains(route.interface) else {
                report(.node(index), at: route.location ?? node.location,
                       "route `\(route.prefix)` of `\(node.name)` leaves by interface index \(route.interface), but the node has "
                       + "\(node.interfaces.count) interfaces",
                       fix: node.interfaces.isEmpty ? "give the node interfaces first"
                           : "route via one of its interfaces (0…\(node.interfaces.count - 1))")
                continue
            }
            let via = node.interfaces[route.interface]
            let network = Topology.Network(via.address, dialect: dialect)
            let prefixNetwork = Topology.network(of: route.prefix)
            guard dialect == .compact, prefixNetwork != network else { continue }
            report(.node(index), at: route.location ?? node.location,
                   "route `\(route.prefix)` is \(prefixNetwork.name(dialect: dialect)), but `\(via.name)` is "
                   + "\(network.withArticle(dialect: dialect)) interface",
                   fix: "route it via \(prefixNetwork.withArticle(dialect: dialect)) interface")
        }
    }

    // MARK: Links

    private mutating func checkLinks() {
        for (index, link) in topology.links.enumerated() {
            let ends = [link.endpoints.0, link.endpoints.1]
            let at = link.positions.first("endpoints")
            if let bad = ends.first(where: { !isValid($0) }) {
                report(.link(index), at: at, "links[\(index)] has an endpoint (node \(bad.node), interface \(bad.interface)) "
                       + "that is no interface of the topology", fix: "connect interfaces of the topology's nodes")
                continue
            }
            var attached = true
            for (side, end) in ends.enumerated() {
                guard let first = firstLink[end] else {
                    firstLink[end] = index
                    continue
                }
                attached = false
                let firstLink = topology.links[first]
                let previous = firstLink.positions["endpoints"].map { "the link at line \($0.line)" }
                    ?? "the link `\(topology.name(of: firstLink.endpoints.0))`–`\(topology.name(of: firstLink.endpoints.1))`"
                report(.link(index), at: link.positions.first("endpoints.\(side)", "endpoints"),
                       "interface `\(topology.name(of: end))` is already on \(previous)",
                       fix: "an interface joins one link; add another interface to the node")
            }
            guard attached else { continue }
            let (a, b) = link.endpoints
            guard a.node != b.node else {
                report(.link(index), at: at, "both endpoints are on node `\(topology.nodes[a.node].name)`", fix: "connect two different nodes")
                continue
            }
            let (networkA, networkB) = (topology.network(of: a), topology.network(of: b))
            if networkA != networkB {
                report(.link(index), at: at,
                       "the link joins \(networkA.withArticle(dialect: dialect)) interface (`\(topology.name(of: a))`) and "
                       + "\(networkB.withArticle(dialect: dialect)) one (`\(topology.name(of: b))`)",
                       fix: "give both ends addresses of one family; a `kind: gateway` node joins networks")
            }
        }
    }

    /// Every interface is on a link: an unattached one could never send or receive.
    private mutating func checkAttachments() {
        for (nodeIndex, node) in topology.nodes.enumerated() {
            for (index, interface) in node.interfaces.enumerated() {
                let id = Topology.InterfaceID(node: nodeIndex, interface: index)
                guard firstLink[id] == nil else { continue }
                report(.interface(id), at: interface.positions.element ?? node.location,
                       "interface `\(node.name):\(interface.name)` is on no link",
                       fix: "add a link with endpoint \(node.name):\(interface.name), or remove the interface")
            }
        }
    }

    /// A node's `prefix` holds, of other nodes' addresses, only those of hosts linked to it
    /// alone (routing sends the whole prefix to it, and those hosts get their own routes);
    /// prefixes do not overlap.
    private mutating func checkNodePrefixes() {
        var owners: [CompactAddressPrefix: Int] = [:]
        for (index, node) in topology.nodes.enumerated() {
            guard let prefix = node.prefix else { continue }
            if let other = owners[prefix] {
                report(.node(index), at: node.positions.first("prefix"),
                       "prefix \(prefix) of `\(node.name)` is also the prefix of `\(topology.nodes[other].name)`",
                       fix: "give each node its own prefix")
            } else {
                owners[prefix] = index
            }
        }
        guard !owners.isEmpty else { return }
        let lengths = Set(owners.keys.map(\.length)).sorted()
        func owner(of bits: UInt64, below limit: Int = 65) -> Int? {
            for length in lengths where length < limit {
                if let owner = owners[CompactAddressPrefix(bits: bits & CompactAddressPrefix.mask(length), length: length)!] { return owner }
            }
            return nil
        }
        for (index, node) in topology.nodes.enumerated() {
            if let prefix = node.prefix, let outer = owner(of: prefix.bits, below: prefix.length) {
                report(.node(index), at: node.positions.first("prefix"),
                       "prefix \(prefix) of `\(node.name)` lies inside \(topology.nodes[outer].prefix!) of `\(topology.nodes[outer].name)`",
                       fix: "give the nodes prefixes that do not overlap")
            }
            for (position, interface) in node.interfaces.enumerated() {
                guard case .compact(let address) = interface.address else { continue }
                if let holder = owner(of: address.storage), holder != index, !isHost(index, linkedOnlyTo: holder) {
                    report(.interface(Topology.InterfaceID(node: index, interface: position)), at: interface.positions.first("address"),
                           "address \(address) of `\(node.name):\(interface.name)` lies in the prefix \(topology.nodes[holder].prefix!) "
                           + "of `\(topology.nodes[holder].name)`, which only its own addresses and hosts linked to it alone may use",
                           fix: "give the interface an address outside that prefix")
                }
            }
        }
    }

    private func isHost(_ node: Int, linkedOnlyTo router: Int) -> Bool {
        guard topology.nodes[node].kind == .host else { return false }
        return topology.nodes[node].interfaces.indices.allSatisfy { interface in
            guard let link = firstLink[Topology.InterfaceID(node: node, interface: interface)] else { return false }
            let (a, b) = topology.links[link].endpoints
            return (a.node == node ? b.node : a.node) == router
        }
    }

    // MARK: Flows

    private mutating func checkFlows() {
        var names: Set<String> = []
        for (index, flow) in topology.flows.enumerated() {
            let positions = flow.positions
            if !names.insert(flow.name).inserted {
                report(.flow(index), at: positions.first("name"), "flow name `\(flow.name)` is used twice",
                       fix: "give each flow its own name (it names output files)")
            }
            let duration = topology.duration
            if duration > 0, !(flow.start < flow.stop && flow.stop <= duration) {
                let (from, to, end) = (UnitText.duration(flow.start), UnitText.duration(flow.stop), UnitText.duration(duration))
                report(.flow(index), at: positions.first("stop", "start"),
                       "the flow would run from \(from) to \(to), not inside the run's 0…\(end)", fix: "make start < stop ≤ duration")
            }
            if let bad = [flow.source, flow.destination].first(where: { !isValid($0) }) {
                let end = bad == flow.source ? "source" : "destination"
                report(.flow(index), at: positions.first(bad == flow.source ? "from" : "to"),
                       "the flow's \(end) (node \(bad.node), interface \(bad.interface)) is no interface of the topology",
                       fix: "send between interfaces of the topology's nodes")
                continue
            }
            if let constraint = flow.pathConstraint {
                let names = topology.domains.map(\.name)
                if constraint.domains.isEmpty {
                    report(.flow(index), at: constraint.location, "`\(constraint.mode.name)` lists no domain", fix: "name at least one domain")
                } else if constraint.domains.count > PathConstraintItem.maximumDomains {
                    report(.flow(index), at: constraint.location, "`\(constraint.mode.name)` lists more than \(PathConstraintItem.maximumDomains) domains",
                           fix: "list fewer")
                }
                for name in constraint.domains where topology.domainIndex(named: name) == nil {
                    report(.flow(index), at: constraint.location, "`\(constraint.mode.name)` names domain `\(name)`, which is not defined"
                           + Suggestion.hint(for: name, in: names), fix: "name a domain under `domains`")
                }
                if topology.network(of: flow.source).isIP {
                    report(.flow(index), at: constraint.location, "a path constraint travels in New IP packets, and `\(topology.name(of: flow.source))` sends plain IP",
                           fix: "send from a New IP interface")
                }
            }
            checkPackets(index)
        }
    }

    /// The flow's packets: to another node, addressed in the source's network, holding the
    /// header and probe, and fitting the first link's MTU.
    private mutating func checkPackets(_ index: Int) {
        let flow = topology.flows[index]
        let positions = flow.positions
        guard flow.source.node != flow.destination.node else {
            report(.flow(index), at: positions.first("to"), "the flow is sent to the node that sends it", fix: "send it to another node")
            return
        }
        // Across networks, the destination needs a name in the source's network.
        do throws(UnitProblem) {
            _ = try PacketTemplate.destination(of: flow, from: topology.network(of: flow.source), in: topology)
        } catch {
            report(.flow(index), at: positions.first("to-address", "to"), error.problem, fix: error.fix)
            return
        }
        let at = positions.first("chunks", "size")
        let template: PacketTemplate
        do throws(UnitProblem) {
            let origin = origins.isEmpty ? nil : origins[index]
            template = try PacketTemplate(flow: flow, in: topology, source: origin?.claimed,
                                          authenticator: origin?.carriesAuthenticator == true ? .placeholder : nil)
        } catch {
            report(.flow(index), at: at, error.problem, fix: error.fix)
            return
        }
        let minimum = template.minimumSize(chunks: flow.chunks)
        guard flow.size.smallest >= minimum else {
            let udp = template.udp == nil ? "" : ", the \(UDPHeader.encodedLength)-byte UDP header"
            report(.flow(index), at: at, "\(flow.size.smallest)-byte packets cannot hold the \(template.header.count)-byte header\(udp) "
                   + "and the \(Probe.length)-byte probe", fix: "use a size of at least \(minimum)")
            return
        }
        if let link = firstLink[flow.source].map({ topology.links[$0] }), flow.size.largest > link.mtu {
            report(.flow(index), at: at, "\(flow.size.largest)-byte packets exceed the MTU \(link.mtu) of the link at "
                   + "`\(topology.name(of: flow.source))`", fix: "lower the size or raise the link's `mtu`")
        }
    }
}

// MARK: Domains

extension ProblemChecker {
    /// Domains: names that resolve to hosts and routers, a host in one domain, a router first
    /// hop of one domain, every member next to a first hop, windows the authenticator allows.
    fileprivate mutating func checkDomains() {
        guard !topology.domains.isEmpty else { return }
        let peers = topology.peers()
        let nodeNames = topology.nodes.map(\.name)
        var domainNames: Set<String> = []
        var memberOf: [String: String] = [:]
        var firstHopOf: [Int: String] = [:]
        // First hops and borders: a router belongs to one domain.
        var routerOf: [Int: String] = [:]
        for (index, domain) in topology.domains.enumerated() {
            let positions = domain.positions
            let subject = TopologyProblem.Subject.domain(index)
            if !domainNames.insert(domain.name).inserted {
                report(subject, at: positions.first("name"), "domain name `\(domain.name)` is used twice", fix: "give each domain its own name")
            }
            if domain.window <= 0 || domain.window > Topology.Domain.maximumWindow {
                report(subject, at: positions.first("window"), "window \(UnitText.duration(domain.window)) is not between 1ns and 10min "
                       + "(the authenticator's timestamp allows no more)", fix: "use e.g. `window: 2s`")
            }
            if domain.checkpointInterval <= 0 {
                report(subject, at: positions.first("checkpoint-interval"), "the checkpoint interval is zero",
                       fix: "give a positive interval, e.g. `checkpoint-interval: 1s`")
            }
            if domain.members.isEmpty {
                report(subject, at: positions.first("members"), "domain `\(domain.name)` has no members", fix: "list its hosts under `members`")
            }
            if domain.selfCertifying != nil, domain.admission != .open {
                report(subject, at: positions.first("self-certifying"),
                       "self-certifying addresses are the open mode's; a registered domain binds addresses by certificate",
                       fix: "remove `self-certifying`, or set `admission: open`")
            }
            if let period = domain.keyEpoch, period < 2 * domain.window {
                report(subject, at: positions.first("key-epoch"),
                       "key-epoch \(UnitText.duration(period)) is shorter than twice the window (\(UnitText.duration(domain.window))), "
                       + "so the previous epoch's grace would overlap the next rotation",
                       fix: "use a key-epoch of at least \(UnitText.duration(2 * domain.window)), or a shorter window")
            }
            if let bits = domain.selfCertifying {
                for (position, name) in domain.members.enumerated() {
                    guard let node = topology.nodeIndex(named: name), topology.nodes[node].kind == .host,
                          let address = topology.nodes[node].interfaces.first(where: { Topology.Network($0.address, dialect: topology.dialect) == .newIP })?.address
                    else { continue }
                    let length = 8 * address.encodedLength
                    var usable = bits < length
                    if case .compact(let compact) = address { usable = usable && bits >= 8 && !compact.isReserved }
                    if !usable {
                        report(subject, at: positions.first("members.\(position)"),
                               "member `\(name)`'s address \(address) (\(length) bits) leaves no self-certifying suffix after a \(bits)-bit prefix",
                               fix: "give it a longer address (e.g. compact 0xFE… with 8 bytes, or IPv6), or a shorter `self-certifying` prefix"
                               + " (a compact one covers at least the first byte)")
                    }
                }
            }
            /// `name` as a node of `kind`, or a problem at `key`.
            func resolve(_ name: String, _ key: String, role: String, kind: Topology.NodeKind) -> Int? {
                let at = positions.first(key)
                guard let node = topology.nodeIndex(named: name) else {
                    report(subject, at: at, "\(role) `\(name)` of domain `\(domain.name)` is no node\(Suggestion.hint(for: name, in: nodeNames))",
                           fix: "name a \(kind.rawValue) defined under `nodes`")
                    return nil
                }
                guard topology.nodes[node].kind == kind else {
                    report(subject, at: at, "\(role) `\(name)` of domain `\(domain.name)` is a \(topology.nodes[node].kind.rawValue), not a \(kind.rawValue)",
                           fix: kind == .host ? "list hosts only" : "name the router that faces the members")
                    return nil
                }
                return node
            }
            var members: Set<Int> = []
            for (position, name) in domain.members.enumerated() {
                guard let node = resolve(name, "members.\(position)", role: "member", kind: .host) else { continue }
                guard members.insert(node).inserted else {
                    report(subject, at: positions.first("members.\(position)"), "member `\(name)` is listed twice", fix: "list it once")
                    continue
                }
                if let other = memberOf[name] {
                    report(subject, at: positions.first("members.\(position)"),
                           "host `\(name)` is a member of domain `\(other)` and of `\(domain.name)`",
                           fix: "a host belongs to one domain; remove it from one of them")
                } else {
                    memberOf[name] = domain.name
                }
            }
            var hops: [Int] = []
            if let names = domain.firstHops {
                for (position, name) in names.enumerated() {
                    guard let node = resolve(name, "first-hops.\(position)", role: "first hop", kind: .router) else { continue }
                    let faces = topology.nodes[node].interfaces.indices.contains { interface in
                        peers[Topology.InterfaceID(node: node, interface: interface)].map { members.contains($0.node) } ?? false
                    }
                    if !faces {
                        report(subject, at: positions.first("first-hops.\(position)"),
                               "first hop `\(name)` of domain `\(domain.name)` is next to none of its members", fix: "name a router linked to a member")
                    }
                    hops.append(node)
                }
            } else {
                hops = topology.routersNext(to: members, peers: peers)
            }
            for node in hops {
                let name = topology.nodes[node].name
                if let other = firstHopOf[node], other != domain.name {
                    report(subject, at: positions.first("first-hops", "members"),
                           "router `\(name)` would be a first hop of domain `\(other)` and of `\(domain.name)`",
                           fix: "a router checks one domain's hosts; give each domain its own first-hop routers")
                } else {
                    firstHopOf[node] = domain.name
                }
            }
            let hopSet = Set(hops)
            for (position, name) in domain.members.enumerated() {
                guard let node = topology.nodeIndex(named: name), members.contains(node) else { continue }
                let checked = topology.nodes[node].interfaces.indices.contains { interface in
                    peers[Topology.InterfaceID(node: node, interface: interface)].map { hopSet.contains($0.node) } ?? false
                }
                if !checked {
                    report(subject, at: positions.first("members.\(position)"),
                           "member `\(name)` of domain `\(domain.name)` is linked to none of its first hops, so nobody would check its packets",
                           fix: domain.firstHops == nil ? "link it to a router" : "add the router it is linked to under `first-hops`")
                }
            }
            /// `name` is a member, or a problem at `at`.
            func member(_ name: String, _ at: SourceLocation?, _ role: String) -> Int? {
                guard let node = topology.nodeIndex(named: name), members.contains(node) else {
                    report(subject, at: at, "\(role) `\(name)` is not a member of domain `\(domain.name)`\(Suggestion.hint(for: name, in: domain.members))",
                           fix: "name one of its members (\(domain.members.joined(separator: ", ")))")
                    return nil
                }
                return node
            }
            for (position, name) in domain.notEnrolled.enumerated() {
                _ = member(name, positions.first("not-enrolled.\(position)", "not-enrolled"), "not-enrolled host")
            }
            var spoofing: Set<Int> = []
            for spoofer in domain.spoofers {
                guard let node = member(spoofer.host, spoofer.location ?? positions.element, "spoofer") else { continue }
                if !spoofing.insert(node).inserted {
                    report(subject, at: spoofer.location, "spoofer `\(spoofer.host)` is listed twice", fix: "give it one claimed host")
                }
                guard let claimed = topology.nodeIndex(named: spoofer.claims), topology.nodes[claimed].kind == .host else {
                    report(subject, at: spoofer.location, "spoofer `\(spoofer.host)` claims `\(spoofer.claims)`, which is no host"
                           + Suggestion.hint(for: spoofer.claims, in: nodeNames), fix: "name the host whose address it claims")
                    continue
                }
                if claimed == node {
                    report(subject, at: spoofer.location, "spoofer `\(spoofer.host)` claims its own address", fix: "name another host")
                } else if !topology.nodes[claimed].interfaces.contains(where: { Topology.Network($0.address, dialect: dialect) == .newIP }) {
                    report(subject, at: spoofer.location, "`\(spoofer.claims)` has no New IP address for `\(spoofer.host)` to claim",
                           fix: "name a host with a New IP interface")
                }
            }
            for (position, name) in domain.border.enumerated() {
                guard let node = resolve(name, "border.\(position)", role: "border router", kind: .router) else { continue }
                if let other = routerOf[node], other != domain.name {
                    report(subject, at: positions.first("border.\(position)"),
                           "router `\(name)` would belong to domain `\(other)` and to `\(domain.name)`",
                           fix: "a router belongs to one domain (as its first hop or border)")
                }
                routerOf[node] = domain.name
            }
            for node in hops {
                // A first hop of two domains is reported above.
                if let other = routerOf[node], other != domain.name, firstHopOf[node] == domain.name {
                    report(subject, at: positions.first("first-hops", "members"),
                           "router `\(topology.nodes[node].name)` would belong to domain `\(other)` and to `\(domain.name)`",
                           fix: "a router belongs to one domain (as its first hop or border)")
                }
                routerOf[node] = domain.name
            }
            if !domain.policy.isEmpty || !domain.policyChanges.isEmpty, domain.border.isEmpty {
                report(subject, at: positions.first("policy", "policy-changes"), "domain `\(domain.name)` has a policy but no `border` routers to apply it",
                       fix: "name the routers linking it to other domains under `border`")
            }
            let domainNames = topology.domains.map(\.name)
            for rule in domain.policy + domain.policyChanges.flatMap(\.rules) {
                if case .named(let name) = rule.fromDomain, topology.domainIndex(named: name) == nil {
                    report(subject, at: rule.location, "policy rule names domain `\(name)`, which is not defined\(Suggestion.hint(for: name, in: domainNames))",
                           fix: "name a domain under `domains`, or `any`/`none`")
                }
            }
            for change in domain.policyChanges where topology.duration > 0 && change.at >= topology.duration {
                report(subject, at: change.location, "the policy change at \(UnitText.duration(change.at)) is not inside the run's "
                       + "0…\(UnitText.duration(topology.duration))", fix: "change the policy before the run ends")
            }
            for revocation in domain.revocations {
                _ = member(revocation.host, revocation.location ?? positions.element, "revoked host")
                if topology.duration > 0, revocation.at >= topology.duration {
                    report(subject, at: revocation.location, "the revocation of `\(revocation.host)` at \(UnitText.duration(revocation.at)) "
                           + "is not inside the run's 0…\(UnitText.duration(topology.duration))", fix: "revoke before the run ends")
                }
            }
        }
        origins = topology.flowOrigins()
    }
}
