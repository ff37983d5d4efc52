require ["encoded-character", "fileinto"];
fileinto "${UNICODE:40}";
