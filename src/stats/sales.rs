//! Sales family (DOMAIN §2.4 M31–M58): 实销额 and its breakdowns.
