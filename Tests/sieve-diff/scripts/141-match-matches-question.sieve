require ["fileinto"];
if header :matches "Subject" "Lunch on Frida??" {
    fileinto "yes";
} else {
    fileinto "no";
}
