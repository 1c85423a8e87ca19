"""What the tests need to stand up real parts: vhosts, databases, processes, a TCP proxy."""
