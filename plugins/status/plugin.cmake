add_meshca_plugin(status kubectl-meshca-status)
