"""A shop's own mail server settings may not point the server at its own machine or private network."""
import pytest

from inbox.netguard import RefusedHost, check_host, parse_allowed


def resolving_to(*addresses):
    return lambda host, port: list(addresses)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "10.0.0.5", "172.16.3.4", "192.168.1.10",
                                  "169.254.169.254", "fe80::1", "fc00::1", "100.64.0.1", "0.0.0.0", "::",
                                  "::ffff:10.0.0.1", "224.0.0.1", "[::1]", "240.0.0.1"])
def test_loopback_link_local_and_private_addresses_are_refused(host):
    with pytest.raises(RefusedHost):
        check_host(host, allow=())


@pytest.mark.parametrize("host", ["93.184.215.14", "2a00:1450:4001:82b::200e", "8.8.8.8"])
def test_public_addresses_pass(host):
    assert check_host(host, allow=()) == [host.strip("[]")]


def test_a_name_that_resolves_to_a_private_address_is_refused():
    with pytest.raises(RefusedHost, match="imap.evil.example resolves to 10.1.2.3"):
        check_host("imap.evil.example", 993, allow=(), resolve=resolving_to("93.184.215.14", "10.1.2.3"))


def test_a_name_with_only_public_addresses_passes():
    assert check_host("imap.shop.example", 993, allow=(), resolve=resolving_to("93.184.215.14")) == ["93.184.215.14"]


def test_an_unresolvable_name_is_left_to_the_connection_to_fail():
    assert check_host("no-such-host.invalid", allow=(), resolve=resolving_to()) == []


def test_the_operator_can_allow_all_or_some_networks():
    assert check_host("192.168.1.10", allow=parse_allowed("1")) == ["192.168.1.10"]
    allowed = parse_allowed("127.0.0.0/8, 10.0.5.0/24")
    assert check_host("127.0.0.1", allow=allowed) and check_host("10.0.5.7", allow=allowed)
    with pytest.raises(RefusedHost):
        check_host("10.0.6.7", allow=allowed)
    assert parse_allowed("") == parse_allowed("0") == parse_allowed(None) == ()


def test_a_refusal_is_an_os_error_so_connection_reports_show_it():
    assert issubclass(RefusedHost, OSError)
