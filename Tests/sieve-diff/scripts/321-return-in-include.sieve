require ["include", "fileinto"];
include :personal "returner";
fileinto "after";
