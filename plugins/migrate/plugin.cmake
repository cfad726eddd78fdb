add_meshca_plugin(migrate kubectl-meshca-migrate)
