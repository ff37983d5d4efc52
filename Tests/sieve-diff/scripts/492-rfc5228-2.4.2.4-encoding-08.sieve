require ["encoded-character", "fileinto"];
fileinto "${ unicode:40}";
