from simagym.testing import kit_tests

test_orchard = kit_tests("orchard")
