add_meshca_plugin(preflight kubectl-meshca-preflight)
