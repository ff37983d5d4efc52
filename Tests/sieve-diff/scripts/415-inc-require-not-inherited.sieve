require ["include", "fileinto"];
include :personal "needs_fileinto";
