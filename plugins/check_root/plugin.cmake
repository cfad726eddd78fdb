add_meshca_plugin(check_root kubectl-meshca-check_root)
