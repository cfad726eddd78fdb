add_meshca_plugin(traffic kubectl-meshca-traffic)
