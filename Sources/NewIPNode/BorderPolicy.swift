import NewIPDataPlane
import NewIPSecurity
import NewIPTopology
import NewIPWire

/// A domain border's policy (docs/topology.md, *Border policy*): rules evaluated in order on
/// every New IP packet that arrives at a border router, the first that matches decides,
/// and a packet no rule matches is permitted. A denied packet is dropped as `policy`.
///
/// A rule matches on:
/// - the domain the packet comes from: the domain its **source address** belongs to (a
///   member's address), any, or none. The source address is what the packet says: it is
///   worth what the source proof behind it is worth (in an open domain an unproven packet
///   may carry anyone's address);
/// - the destination prefix;
/// - the contract: carries a latency-based clause, a max-delay clause, or neither;
/// - whether the source is proven: the node's own first-hop check said so, or the packet
///   carries an authenticator that verifies under a domain secret the border holds
///   (`verifiers`, by domain number); else it is unproven here.
///
/// Pure: no clock (time passed in), no I/O; `NodeCore` runs it on arrival, after the
/// source check.
public struct BorderPolicy: Sendable {
    public typealias Action = Topology.PolicyRule.Action
    public typealias ContractMatch = Topology.PolicyRule.ContractMatch
    public typealias SourceMatch = Topology.PolicyRule.SourceMatch

    public enum DomainMatch: Hashable, Sendable {
        case any
        /// The source address belongs to no domain.
        case none
        case domain(UInt16)
    }

    public struct Rule: Sendable {
        /// A rule as a topology or node file writes it, its domain resolved to a number by
        /// `number` (a name it does not know matches no packet: files are checked before this).
        public init(_ rule: Topology.PolicyRule, number: (String) -> UInt16?) {
            let from: DomainMatch
            switch rule.fromDomain {
            case .any: from = .any
            case .none: from = .none
            case .named(let name): from = number(name).map { .domain($0) } ?? .none
            }
            self.init(action: rule.action, from: from, to: rule.to, contract: rule.contract, source: rule.source)
        }

        public var action: Action
        public var from: DomainMatch
        /// `nil`: any destination.
        public var to: RoutePrefix?
        public var contract: ContractMatch
        public var source: SourceMatch
        /// `to` as a one-entry table, for longest-prefix containment in any family.
        fileprivate var destinations: ForwardingTable?

        public init(action: Action, from: DomainMatch = .any, to: RoutePrefix? = nil, contract: ContractMatch = .any,
                    source: SourceMatch = .any) {
            self.action = action
            self.from = from
            self.to = to
            self.contract = contract
            self.source = source
            if let to {
                var table = ForwardingTable()
                table.insert(Route(nextHop: .local), for: to)
                destinations = table
            }
        }
    }

    /// The rules of a node file's `border:` section, its members' addresses, and the guarded
    /// domain's verifier when the section names its secret (`verifier`).
    public init(border: NodeConfig.Border, verifier: SourceAuthVerifier?, clockOffset: UInt64) {
        var domainOf: [FrameworkAddress: UInt16] = [:]
        for (index, domain) in border.domains.enumerated() {
            for member in domain.members { domainOf[member] = UInt16(truncatingIfNeeded: index + 1) }
        }
        var verifiers: [UInt16: SourceAuthVerifier] = [:]
        if let verifier, let number = border.number(of: border.domain) { verifiers[number] = verifier }
        self.init(rules: border.policy.map { Rule($0, number: border.number(of:)) }, domainOf: domainOf,
                  verifiers: verifiers, clockOffset: clockOffset)
    }

    /// What the rules decided so far: per rule the packets it matched first, and the packets
    /// no rule matched (permitted by default).
    public struct Counters: Hashable, Sendable {
        public var matches: [Int]
        public var defaultPermits = 0

        public init(rules: Int) { matches = Array(repeating: 0, count: rules) }
    }

    public private(set) var rules: [Rule]
    public private(set) var counters: Counters
    /// Source address → domain number.
    public var domainOf: [FrameworkAddress: UInt16]
    /// The domain secrets the border holds, by domain number (a border holds its own
    /// domain's): a packet from such a domain is proven when its authenticator verifies.
    public var verifiers: [UInt16: SourceAuthVerifier]
    /// Added to the node's time to get the authenticators' clock (as `SourceAuthentication`).
    public var clockOffset: UInt64

    public init(rules: [Rule], domainOf: [FrameworkAddress: UInt16], verifiers: [UInt16: SourceAuthVerifier] = [:],
                clockOffset: UInt64 = 0) {
        self.rules = rules
        self.domainOf = domainOf
        self.verifiers = verifiers
        self.clockOffset = clockOffset
        counters = Counters(rules: rules.count)
    }

    /// Puts `rules` in force from the next packet on; returns what the previous rules decided
    /// (the counters start again from zero).
    @discardableResult
    public mutating func replaceRules(_ rules: [Rule]) -> Counters {
        let previous = counters
        self.rules = rules
        counters = Counters(rules: rules.count)
        return previous
    }

    /// The first rule matching `packet`, `nil` when none does.
    /// `proven`: the node's own first-hop check's finding when it checked this packet.
    public mutating func firstMatch(_ packet: NewIPPacketView, now: Nanoseconds, proven known: Bool? = nil) -> Int? {
        let domain = packet.source.flatMap { domainOf[$0] }
        var contracts: (lbf: Bool, mdf: Bool)?
        var proven = known
        for (index, rule) in rules.enumerated() {
            switch rule.from {
            case .any: break
            case .none: guard domain == nil else { continue }
            case .domain(let number): guard domain == number else { continue }
            }
            if let table = rule.destinations, table.lookup(packet.destination) == nil { continue }
            if rule.contract != .any {
                if contracts == nil { contracts = Self.contracts(packet) }
                let (lbf, mdf) = contracts!
                switch rule.contract {
                case .any: break
                case .lbf: guard lbf else { continue }
                case .mdf: guard mdf else { continue }
                case .none: guard !lbf && !mdf else { continue }
                }
            }
            if rule.source != .any {
                if proven == nil { proven = verify(packet, domain: domain, now: now) }
                guard proven! == (rule.source == .proven) else { continue }
            }
            return index
        }
        return nil
    }

    /// Evaluates the rules on `packet`: `nil` when it may go on, `.policy` when denied; counted.
    public mutating func check(_ packet: NewIPPacketView, now: Nanoseconds, proven: Bool? = nil) -> DropReason? {
        guard let index = firstMatch(packet, now: now, proven: proven) else {
            counters.defaultPermits += 1
            return nil
        }
        counters.matches[index] += 1
        return rules[index].action == .deny ? .policy : nil
    }

    private mutating func verify(_ packet: NewIPPacketView, domain: UInt16?, now: Nanoseconds) -> Bool {
        guard let domain, verifiers[domain] != nil else { return false }
        return verifiers[domain]!.verify(packet, now: UInt64(clamping: now) &+ clockOffset) == .valid
    }

    private static func contracts(_ packet: NewIPPacketView) -> (lbf: Bool, mdf: Bool) {
        var found = (lbf: false, mdf: false)
        try? packet.forEachContractItem { item in
            guard case .clause(let type, _) = item else { return }
            if type == .latencyBased { found.lbf = true }
            if type == .maxDelay { found.mdf = true }
        }
        return found
    }
}
