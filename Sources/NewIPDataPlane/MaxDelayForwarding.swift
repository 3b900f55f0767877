import NewIPWire

/// Max-delay forwarding: a packet whose experienced delay exceeds the allowed maximum is
/// useless to its receiver, so it is dropped.
///
/// `maxAllowedDelay` and `delayExp` are milliseconds on the wire (`WireTime`). A router
/// checks on arrival (nothing spent here yet) and again on departure with the time it held
/// the packet; on departure `delayExp` grows by that time plus the outgoing link's delay, as
/// the Network 2030 queue discipline does for the time in its queue.
public enum MaxDelayForwarding {
    /// Whether the packet is late after `spentHere` at this router.
    @inlinable
    public static func isLate(_ contract: MaxDelayContract, spentHere: Nanoseconds) -> Bool {
        WireTime.nanoseconds(milliseconds: contract.delayExp) + spentHere
            > WireTime.nanoseconds(milliseconds: contract.maxAllowedDelay)
    }

    /// The clause as it leaves: `delayExp` plus the time here and the link delay.
    @inlinable
    public static func departing(_ contract: MaxDelayContract, spentHere: Nanoseconds, linkDelay: Nanoseconds) -> MaxDelayContract {
        var result = contract
        result.delayExp = WireTime.milliseconds(WireTime.nanoseconds(milliseconds: contract.delayExp) + spentHere + linkDelay)
        return result
    }
}
