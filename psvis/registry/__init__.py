"""Who owns which cameras where: jurisdictions, units, sites, systems, cameras."""
