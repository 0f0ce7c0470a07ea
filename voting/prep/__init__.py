"""The preparation group (筹备组): its members, its public list, and the assembly's deadlines."""
