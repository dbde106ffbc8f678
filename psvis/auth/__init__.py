"""Users, roles, login sessions and API tokens, and the policy table that scopes them."""
