require ["fileinto"];
if size :over 100000 {
    fileinto "yes";
} else {
    fileinto "no";
}
