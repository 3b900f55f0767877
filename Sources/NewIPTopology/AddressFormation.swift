extension Topology {
    /// How a host's interface forms its address from the prefix its router's hellos offer
    /// (docs/topology.md, *Neighbour discovery*).
    public enum AddressFormation: Hashable, Sendable {
        /// `suffix: 5`: the prefix followed by this suffix.
        case suffix(UInt64)
        /// `suffix: key`: the prefix followed by the hash of the host's key
        /// (`SelfCertifyingAddress`), in a self-certifying domain.
        case key
    }
}
