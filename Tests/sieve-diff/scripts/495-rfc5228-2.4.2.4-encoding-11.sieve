require ["encoded-character", "fileinto"];
fileinto "${Unicode:Cool}";
