if frobnicated { keep; }
