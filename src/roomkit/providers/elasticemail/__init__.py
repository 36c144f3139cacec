"""ElasticEmail: email through Elastic Email's HTTP API (``roomkit[http]``)."""
